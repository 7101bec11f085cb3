import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * Slack's text format, read once where text comes in and written once where it goes out.
 *
 * Slack sends slash-command text escaped (`&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`) with
 * mentions, channel links and URLs as control sequences: `<@U123|ada>`, `<#C123|coffee>`,
 * `<https://example.com|example.com>`, `<!here>`, `<!subteam^S123|@baristas>`
 * (docs.slack.dev, "Formatting text for app surfaces"). Text typed into a modal's
 * `plain_text_input` arrives exactly as typed, with nothing escaped.
 *
 * The app keeps what the person typed: plain text, plus the user mentions, channel links and
 * URLs as parts that still know their target. Broadcast mentions (`<!here>`, `<!channel>`,
 * `<!everyone>`, user groups) become plain words, so nothing stored can ever ping anyone.
 * Rendering escapes each text part exactly once.
 */

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
/** Schemes Slack turns into links; anything else in angle brackets is shown as words. */
const LINK_SCHEME = /^(https?:\/\/|mailto:)/i;

const PartText = Type.String({ minLength: 1, maxLength: 4000 });
/**
 * One piece of typed text: plain, or a user mention, channel link or URL that keeps its target.
 * Concatenating every part's `text` gives what the person typed. Stored as `runs.note_parts`.
 */
export const TextPartSchema = Type.Union([
  Type.Object({ type: Type.Literal('text'), text: PartText }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('user'), userId: Type.RegExp(USER_ID), text: PartText },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('channel'), channelId: Type.RegExp(CHANNEL_ID), text: PartText },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('link'), url: Type.RegExp(LINK_SCHEME), text: PartText },
    { additionalProperties: false },
  ),
]);
export type TextPart = Static<typeof TextPartSchema>;
const isTextParts = TypeCompiler.Compile(Type.Array(TextPartSchema));
const BROADCASTS: Record<string, string> = {
  here: '@here',
  channel: '@channel',
  everyone: '@everyone',
  group: '@channel',
};

/** Undoes Slack's three escapes in one pass, so `&amp;lt;` becomes `&lt;` and no more. */
export function unescapeSlack(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_match, name: string) =>
    name === 'amp' ? '&' : name === 'lt' ? '<' : '>',
  );
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function pushText(parts: TextPart[], text: string): void {
  if (text === '') return;
  const last = parts[parts.length - 1];
  if (last?.type === 'text') last.text += text;
  else parts.push({ type: 'text', text });
}

/** One control sequence (the inside of `<…>`, still escaped) as a part. */
function controlSequence(inner: string): TextPart {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? '' : unescapeSlack(inner.slice(bar + 1));
  if (target.startsWith('@') && USER_ID.test(target.slice(1))) {
    const userId = target.slice(1);
    return { type: 'user', userId, text: `@${label.replace(/^@/, '') || userId}` };
  }
  if (target.startsWith('#') && CHANNEL_ID.test(target.slice(1))) {
    const channelId = target.slice(1);
    return { type: 'channel', channelId, text: `#${label.replace(/^#/, '') || channelId}` };
  }
  if (target.startsWith('!')) {
    // Broadcasts and user groups become the words the person saw; dates their fallback text.
    const command = target.slice(1);
    // Own keys only: `<!constructor>` is no broadcast (it used to yield Object's constructor).
    const broadcast = Object.hasOwn(BROADCASTS, command) ? BROADCASTS[command] : undefined;
    if (broadcast) return { type: 'text', text: broadcast };
    if (command.startsWith('subteam^')) {
      return { type: 'text', text: label || `@${command.slice('subteam^'.length)}` };
    }
    return { type: 'text', text: label || command };
  }
  const url = unescapeSlack(target);
  if (LINK_SCHEME.test(url)) return { type: 'link', url, text: label || url };
  return { type: 'text', text: label || url };
}

/**
 * Slack's wire text (slash-command `text`, message text) → the parts the person typed.
 * Unknown or malformed sequences are kept as words, never dropped.
 */
export function decodeSlackText(wire: string): TextPart[] {
  const parts: TextPart[] = [];
  const sequence = /<([^<>]*)>/g;
  let at = 0;
  for (let match = sequence.exec(wire); match; match = sequence.exec(wire)) {
    pushText(parts, unescapeSlack(wire.slice(at, match.index)));
    const part = controlSequence(match[1] ?? '');
    if (part.type === 'text') pushText(parts, part.text);
    else parts.push(part);
    at = match.index + match[0].length;
  }
  pushText(parts, unescapeSlack(wire.slice(at)));
  return parts;
}

/** What the person typed, as one string. */
export function plainText(parts: readonly TextPart[]): string {
  return parts.map((part) => part.text).join('');
}

/**
 * Characters as a person counts them: Unicode code points (an emoji is one), the same count
 * JSON Schema's `maxLength` uses in the message contracts.
 */
export function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** Drops the first `length` UTF-16 units of typed text, keeping the parts after them. */
export function dropLeading(parts: readonly TextPart[], length: number): TextPart[] {
  const kept: TextPart[] = [];
  let skip = length;
  for (const part of parts) {
    if (skip >= part.text.length) {
      skip -= part.text.length;
      continue;
    }
    if (skip > 0) {
      // Only plain text can be cut; a mention or link is kept whole or dropped whole.
      if (part.type === 'text') kept.push({ type: 'text', text: part.text.slice(skip) });
      skip = 0;
      continue;
    }
    kept.push({ ...part });
  }
  return kept;
}

/** Trims whitespace at both ends of typed text (inside plain-text parts only). */
export function trimParts(parts: readonly TextPart[]): TextPart[] {
  const trimmed = parts.map((part) => ({ ...part }));
  const first = trimmed[0];
  if (first?.type === 'text') first.text = first.text.trimStart();
  const last = trimmed[trimmed.length - 1];
  if (last?.type === 'text') last.text = last.text.trimEnd();
  return trimmed.filter((part) => part.text !== '');
}

function renderPart(part: TextPart): string {
  switch (part.type) {
    case 'user':
      return USER_ID.test(part.userId) ? `<@${part.userId}>` : escapeMrkdwn(part.text);
    case 'channel':
      return CHANNEL_ID.test(part.channelId) ? `<#${part.channelId}>` : escapeMrkdwn(part.text);
    case 'link': {
      if (!LINK_SCHEME.test(part.url)) return escapeMrkdwn(part.text);
      // Inside <…|…> a raw `|` or `>` would end the URL early: percent-encode them.
      const url = escapeMrkdwn(part.url).replace(/\|/g, '%7C');
      return part.text === part.url ? `<${url}>` : `<${url}|${escapeMrkdwn(part.text)}>`;
    }
    default:
      return escapeMrkdwn(part.text);
  }
}

/**
 * Typed text → mrkdwn that shows exactly that text: plain text escaped once, user mentions and
 * channel links as Slack's `<@U…>`/`<#C…>` (Slack shows the current name), URLs as links. A
 * plain string is typed text with no parts (modal input, stored order text).
 */
export function renderMrkdwn(text: string | readonly TextPart[]): string {
  if (typeof text === 'string') return escapeMrkdwn(text);
  return text.map(renderPart).join('');
}

/**
 * Typed text as stored parts, trusted only as far as it agrees with the plain text beside it:
 * parts from the database or a message are re-checked, and plain text wins when they differ.
 */
export function partsOrPlain(plain: string, parts: unknown): TextPart[] | string {
  return isTextParts.Check(parts) && plainText(parts) === plain ? parts : plain;
}

/**
 * The parts of a `/coffee` note, from the text Slack sent (the message's `text`) and the note
 * the gateway read from it (its end, as typed): null when the note is plain text or the two do
 * not agree. The same decoding as the gateway's, so both read Slack's text the same way.
 */
export function notePartsFrom(wire: string, note: string | null): TextPart[] | null {
  if (!note) return null;
  const parts = decodeSlackText(wire);
  const typed = plainText(parts).trimEnd();
  const start = typed.length - note.length;
  if (start < 0 || typed.slice(start) !== note) return null;
  const noteParts = trimParts(dropLeading(parts, start));
  const linked = noteParts.some((part) => part.type !== 'text');
  return linked && plainText(noteParts) === note ? noteParts : null;
}

/** Plain text shown inside a `plain_text` object or a notification: no escaping, one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
