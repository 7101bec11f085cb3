import { NOTE_MAX_LENGTH } from '@coffeebuddy/contracts';
import { countCharacters, dropLeading, plainText, type TextPart, trimParts } from '@coffeebuddy/slack';
import { MAX_PICKUP_AHEAD_MINUTES, type PickupPhrase, readPickupPhrase } from './pickup-time';

/**
 * `/coffee [pickup time] [note]` as a pure function of what the person typed (Slack's text,
 * decoded once by `decodeSlackText`). Text that does not start with a time is all note; the note
 * keeps its mentions, channel links and URLs, and its length is counted in the characters the
 * person typed. Placing the pickup on the clock needs their timezone: see `resolvePickup`.
 */

export { NOTE_MAX_LENGTH };

export type CoffeeCommand =
  | { kind: 'help' }
  | { kind: 'admin' }
  | {
      kind: 'start_run';
      pickup: PickupPhrase | null;
      /** The note as typed, or null. */
      note: string | null;
      /** The note's parts when it holds a mention, channel link or URL; null when plain text. */
      noteParts: TextPart[] | null;
    }
  | { kind: 'invalid'; reason: string };

// After a pickup time, a separator the person put before the note is not part of it.
const SEPARATOR = /^[\s,;:\-–—]+/;

export function readCoffeeCommand(parts: readonly TextPart[]): CoffeeCommand {
  const typed = plainText(parts);
  const lower = typed.trim().replace(/\s+/g, ' ').toLowerCase();
  if (lower === 'help' || lower === '?') return { kind: 'help' };
  if (lower === 'admin' || lower.startsWith('admin ')) return { kind: 'admin' };

  const indent = typed.length - typed.trimStart().length;
  const reading = readPickupPhrase(typed.slice(indent));
  if (reading && 'problem' in reading) return { kind: 'invalid', reason: reading.problem };
  let rest = dropLeading(parts, indent + (reading?.length ?? 0));
  const first = rest[0];
  if (reading && first?.type === 'text') {
    rest = [{ type: 'text', text: first.text.replace(SEPARATOR, '') }, ...rest.slice(1)];
  }
  rest = trimParts(rest);
  const note = plainText(rest);
  const length = countCharacters(note);
  if (length > NOTE_MAX_LENGTH) {
    return {
      kind: 'invalid',
      reason: `The note is ${length} characters; keep it to ${NOTE_MAX_LENGTH}.`,
    };
  }
  return {
    kind: 'start_run',
    pickup: reading?.phrase ?? null,
    note: note === '' ? null : note,
    noteParts: rest.some((part) => part.type !== 'text') ? rest : null,
  };
}

export const USAGE = [
  '*Start a coffee run:* `/coffee [pickup time] [note]`',
  '• `/coffee` — a run with no set pickup time',
  '• `/coffee in 20m oat flat whites at Blue Door` — pickup 20 minutes from now',
  '• `/coffee 2:30pm` — pickup at the next 2:30 p.m. on your clock',
  `Times: \`in 20m\`, \`in 1h30m\`, \`10:30\`, \`2:30pm\`, \`2:30 p.m.\`, \`noon\`, \`midnight\`, \`tomorrow 9am\` — read in your Slack timezone; a time earlier than now means its next occurrence; at most ${MAX_PICKUP_AHEAD_MINUTES / 60} h ahead.`,
  `Notes: up to ${NOTE_MAX_LENGTH} characters; @mentions, #channels and links work, @here/@channel/@everyone and user groups never ping.`,
  '*Other commands:* `/coffee help` (this help), `/coffee admin` (channel settings, for admins)',
  'Then use the buttons on the run message: *Place order*, *Use my last order*, *Close run*.',
].join('\n');
