/**
 * Block Kit's limits, in one place, and the helpers every builder uses to stay inside them
 * without dropping anything.
 *
 * Source: docs.slack.dev, Block Kit reference ("Blocks", "Block elements", "Composition
 * objects", "Views") and chat.postMessage. Lengths are counted in UTF-16 code units, which is at
 * least the number of characters however Slack counts them. The Slack emulator keeps its own
 * copy, written from the same pages, so a wrong number here cannot hide itself in tests (see
 * `src/block-kit.test.ts`, which holds the two side by side at every edge).
 */
export const BLOCK_KIT_LIMITS = {
  /** Blocks in one message (chat.postMessage / chat.update). */
  messageBlocks: 50,
  /** Blocks in a modal or a Home tab. */
  viewBlocks: 100,
  /** A section block's `text`. */
  sectionText: 3_000,
  /** A header block's `plain_text`. */
  headerText: 150,
  /** A button's `text`. */
  buttonText: 75,
  /** A modal's `title`, `submit` and `close`. */
  viewTitle: 24,
  /** A view's `private_metadata`. */
  privateMetadata: 3_000,
  /** Elements in a context block. */
  contextElements: 10,
  /** A message's top-level `text` (longer is `msg_too_long`). */
  messageText: 40_000,
} as const;

/** A message for chat.postMessage / chat.update: the notification text and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

export type Block = Record<string, unknown>;

/** Whether `index` falls between the two halves of a surrogate pair. */
function splitsSurrogatePair(text: string, index: number): boolean {
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/**
 * Splits one line longer than `max` UTF-16 units into pieces of at most `max`, at the last
 * space that fits when there is one, and never between the halves of a surrogate pair.
 */
export function splitLongLine(line: string, max: number): string[] {
  if (max < 2) throw new RangeError('splitLongLine: max must be at least 2');
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let cut = rest.lastIndexOf(' ', max);
    if (cut <= 0) {
      cut = max;
      if (splitsSurrogatePair(rest, cut)) cut -= 1;
    }
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, '');
  }
  pieces.push(rest);
  return pieces;
}

/**
 * Greedy packing of whole lines into chunks of at most `max` UTF-16 units joined by `\n`, up to
 * `maxChunks` chunks. A single line longer than `max` is split by `splitLongLine` (only then is a
 * line ever divided). Returns the chunks and how many lines (the first `shown`) they hold.
 */
function packLines(
  lines: readonly string[],
  max: number,
  maxChunks: number,
): { chunks: string[]; shown: number } {
  const chunks: string[] = [];
  let shown = 0;
  for (const line of lines) {
    // Only the last chunk can still grow; work on a copy of it and commit if the line fits.
    const open = chunks.length > 0 ? [chunks[chunks.length - 1] as string] : [];
    for (const piece of line.length > max ? splitLongLine(line, max) : [line]) {
      const current = open[open.length - 1];
      if (current !== undefined && current.length + 1 + piece.length <= max) {
        open[open.length - 1] = `${current}\n${piece}`;
      } else {
        open.push(piece);
      }
    }
    const closed = Math.max(chunks.length - 1, 0);
    if (closed + open.length > maxChunks) break;
    chunks.splice(closed, chunks.length - closed, ...open);
    shown += 1;
  }
  return { chunks, shown };
}

/** Lines → chunks of at most `max` UTF-16 units, whole lines only (see `packLines`). */
export function chunkLines(lines: readonly string[], max: number = BLOCK_KIT_LIMITS.sectionText): string[] {
  return packLines(lines, max, Number.POSITIVE_INFINITY).chunks;
}

/** A section whose text is mrkdwn shown verbatim (no automatic @-mention or channel parsing). */
export function mrkdwnSection(text: string, blockId?: string): Block {
  return {
    type: 'section',
    ...(blockId ? { block_id: blockId } : {}),
    text: { type: 'mrkdwn', text, verbatim: true },
  };
}

/** A context block with one mrkdwn element, shown verbatim. */
export function mrkdwnContext(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text, verbatim: true }] };
}

/** Lines as as many sections as they need (each within the section limit, lines whole). */
export function sectionsFromLines(lines: readonly string[]): Block[] {
  return chunkLines(lines).map((chunk) => mrkdwnSection(chunk));
}

/**
 * Shortens plain text to `max` UTF-16 units with an ellipsis, never inside a surrogate pair;
 * for labels (headers, buttons, titles), never for content that must be shown whole.
 */
export function clampText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  if (splitsSurrogatePair(text, cut)) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * Spreads blocks over as many messages as the 50-block limit needs, in order. `lead` blocks
 * open the first message, `tail` blocks close the last; each later message starts with the
 * block `continued(n, total)` makes. Every message gets `text(n, total)` as its notification.
 */
export function packMessages(input: {
  lead: Block[];
  body: Block[];
  tail?: Block[];
  continued: (index: number, total: number) => Block;
  text: (index: number, total: number) => string;
  maxBlocks?: number;
}): SlackMessage[] {
  const max = input.maxBlocks ?? BLOCK_KIT_LIMITS.messageBlocks;
  const tail = input.tail ?? [];
  if (input.lead.length + tail.length >= max)
    throw new RangeError('packMessages: lead and tail leave no room');
  // Pages after the first give one block to the "continued" block that opens them.
  const room = (page: number) => (page === 0 ? max : max - 1);
  const pages: Block[][] = [[...input.lead]];
  for (const block of input.body) {
    const page = pages[pages.length - 1] as Block[];
    if (page.length < room(pages.length - 1)) page.push(block);
    else pages.push([block]);
  }
  // The tail stays whole: on the last page when it fits, else on a page of its own.
  const last = pages[pages.length - 1] as Block[];
  if (tail.length > 0) {
    if (last.length + tail.length <= room(pages.length - 1)) last.push(...tail);
    else pages.push([...tail]);
  }
  const total = pages.length;
  return pages.map((blocks, i) => ({
    text: input.text(i + 1, total),
    blocks: i === 0 ? blocks : [input.continued(i + 1, total), ...blocks],
  }));
}

/**
 * As many whole lines as fit in at most `maxSections` sections. Returns the sections and how
 * many of the lines they hold (the first `shown`), so the caller can say what is left out.
 */
export function sectionsWithin(
  lines: readonly string[],
  maxSections: number,
): { blocks: Block[]; shown: number } {
  const { chunks, shown } = packLines(lines, BLOCK_KIT_LIMITS.sectionText, maxSections);
  return { blocks: chunks.map((chunk) => mrkdwnSection(chunk)), shown };
}
