import { DateTime } from 'luxon';

/**
 * `/coffee [pickup time] [note]` as a pure function of the text, the time it was received and
 * the user's timezone. Pickup forms: `10:30`, `10.30`, `10:30am`, `10.30am`, `10am`,
 * `2pm`, `14:05`, `in 20m`, `in 20 min`, `in 1h`, `in 1h30m`. Anything else that looks like a time
 * is an error; text that does not start with a time is all note.
 */

export const NOTE_MAX_LENGTH = 280;
/** A run further ahead than this is almost certainly a typo. */
export const MAX_PICKUP_AHEAD_MINUTES = 12 * 60;

export type CoffeeCommand =
  | { kind: 'help' }
  | { kind: 'admin' }
  | {
      kind: 'start_run';
      pickupAt: string | null;
      pickupText: string | null;
      note: string | null;
      /** The zone the time was read in, for the confirmation (UTC when users.info had none). */
      zone: string;
    }
  | { kind: 'invalid'; reason: string };

const CLOCK = /^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$/i;
const DURATION =
  /^(?:(\d{1,3})\s*(?:h|hr|hrs|hour|hours))?\s*(?:(\d{1,3})\s*(?:m|min|mins|minute|minutes))?(?=\s|$)/i;
// A bare number is not a time ("/coffee 2 flat whites"): a clock time has a separator or am/pm.
const LOOKS_LIKE_TIME = /^\d{1,2}[:.]\d{1,2}\s*(am|pm)?$|^\d{1,2}\s*(am|pm)$/i;

export function parseCoffeeCommand(text: string, receivedAt: Date, zone: string | null): CoffeeCommand {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const lower = trimmed.toLowerCase();
  if (lower === 'help' || lower === '?') return { kind: 'help' };
  if (lower === 'admin' || lower.startsWith('admin ')) return { kind: 'admin' };
  const tz = zone && DateTime.local().setZone(zone).isValid ? zone : 'UTC';
  const now = DateTime.fromJSDate(receivedAt, { zone: tz });
  if (trimmed === '') return { kind: 'start_run', pickupAt: null, pickupText: null, note: null, zone: tz };

  let pickup: { at: DateTime; text: string } | null = null;
  let rest = trimmed;

  const relative = /^in\s+(.*)$/i.exec(trimmed);
  if (relative && /^\d/.test(relative[1] ?? '')) {
    const after = relative[1] ?? '';
    const duration = DURATION.exec(after);
    const hours = Number(duration?.[1] ?? 0);
    const minutes = Number(duration?.[2] ?? 0);
    if (!duration || duration[0].trim() === '' || hours * 60 + minutes === 0) {
      const shown = after.split(' ')[0];
      return {
        kind: 'invalid',
        reason: `"in ${shown}" is not a duration I understand — try "in 20m" or "in 1h30m".`,
      };
    }
    pickup = { at: now.plus({ hours, minutes }), text: `in ${duration[0].replace(/\s+/g, '')}` };
    rest = after.slice(duration[0].length);
  } else {
    const tokens = trimmed.split(' ');
    const [first = '', second = ''] = tokens;
    // "10 am" written with a space counts as one time.
    const used = /^(am|pm)$/i.test(second) && /^\d/.test(first) ? 2 : 1;
    const candidate = tokens.slice(0, used).join('');
    if (LOOKS_LIKE_TIME.test(candidate)) {
      const clock = CLOCK.exec(candidate);
      const hour = Number(clock?.[1]);
      const minute = Number(clock?.[2] ?? 0);
      const meridiem = clock?.[3]?.toLowerCase();
      const valid = clock && minute < 60 && (meridiem ? hour >= 1 && hour <= 12 : hour <= 23);
      if (!valid)
        return {
          kind: 'invalid',
          reason: `"${candidate}" is not a time of day — try 10:30, 10.30am or 2pm.`,
        };
      const hour24 = meridiem ? (hour % 12) + (meridiem === 'pm' ? 12 : 0) : hour;
      const at = now.set({ hour: hour24, minute, second: 0, millisecond: 0 });
      if (at <= now) {
        return {
          kind: 'invalid',
          reason: `${candidate} has already passed (it is ${now.toFormat('HH:mm')} in ${tz}) — pick a later time or use "in 20m".`,
        };
      }
      pickup = { at, text: candidate };
      rest = tokens.slice(used).join(' ');
    } else if (/^\d+[:.]\d*/.test(first) || /^\d+(am|pm)$/i.test(first)) {
      return { kind: 'invalid', reason: `"${first}" is not a time of day — try 10:30, 10.30am or 2pm.` };
    }
  }

  if (pickup && pickup.at.diff(now, 'minutes').minutes > MAX_PICKUP_AHEAD_MINUTES) {
    return { kind: 'invalid', reason: `Pickup can be at most ${MAX_PICKUP_AHEAD_MINUTES / 60} hours ahead.` };
  }
  const note = rest.trim();
  if (note.length > NOTE_MAX_LENGTH) {
    return {
      kind: 'invalid',
      reason: `The note is ${note.length} characters; keep it under ${NOTE_MAX_LENGTH}.`,
    };
  }
  return {
    kind: 'start_run',
    pickupAt: pickup ? (pickup.at.toUTC().toISO() ?? null) : null,
    pickupText: pickup?.text ?? null,
    note: note === '' ? null : note,
    zone: tz,
  };
}

export const USAGE = [
  '*Start a coffee run:* `/coffee [pickup time] [note]`',
  '• `/coffee` — a run with no set pickup time',
  '• `/coffee 10:30 oat flat whites at Blue Door` — pickup at 10:30 (your timezone)',
  '• `/coffee in 20m` — pickup 20 minutes from now',
  `Times: \`10:30\`, \`10.30am\`, \`2pm\`, \`in 20m\`, \`in 1h30m\` (at most ${MAX_PICKUP_AHEAD_MINUTES / 60} h ahead). Notes: up to ${NOTE_MAX_LENGTH} characters.`,
  '*Other commands:* `/coffee help` (this help), `/coffee admin` (channel settings, for admins)',
  'Then use the buttons on the run message: *Place order*, *Use my last order*, *Close run*.',
].join('\n');
