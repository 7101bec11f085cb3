import { checkMessage, checkView } from '@coffeebuddy/slack-emulator';
import {
  BLOCK_KIT_LIMITS,
  chunkLines,
  clampText,
  packMessages,
  sectionsWithin,
  splitLongLine,
} from './block-kit';

const L = BLOCK_KIT_LIMITS;
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const divider = { type: 'divider' };
const modal = (overrides: Record<string, unknown>) => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Order' },
  blocks: [section('hi')],
  ...overrides,
});
const x = (n: number) => 'x'.repeat(n);
const hasLoneSurrogate = (text: string) =>
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

// Our limits and the emulator's (written separately, from the same Slack pages) must agree at
// every edge: exactly at the limit passes, one more is Slack's `invalid_blocks`/view error.
describe('BLOCK_KIT_LIMITS, held against the Slack emulator at every edge', () => {
  const message = (blocks: unknown[]) => checkMessage({ text: 'fallback', blocks });
  it.each([
    ['blocks per message', (n: number) => message(Array.from({ length: n }, () => divider)), L.messageBlocks],
    ['section text', (n: number) => message([section(x(n))]), L.sectionText],
    [
      'header text',
      (n: number) => message([{ type: 'header', text: { type: 'plain_text', text: x(n) } }]),
      L.headerText,
    ],
    [
      'button text',
      (n: number) =>
        message([
          {
            type: 'actions',
            elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: x(n) } }],
          },
        ]),
      L.buttonText,
    ],
    [
      'context elements',
      (n: number) =>
        message([
          { type: 'context', elements: Array.from({ length: n }, () => ({ type: 'mrkdwn', text: 'a' })) },
        ]),
      L.contextElements,
    ],
  ])('%s: %#', (_name, check, limit) => {
    expect(check(limit)).toEqual({ ok: true });
    expect(check(limit + 1)).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it('message text', () => {
    expect(checkMessage({ text: x(L.messageText) })).toEqual({ ok: true });
    expect(checkMessage({ text: x(L.messageText + 1) })).toMatchObject({ error: 'msg_too_long' });
  });

  it.each([
    [
      'blocks per view',
      (n: number) => modal({ blocks: Array.from({ length: n }, () => divider) }),
      L.viewBlocks,
    ],
    ['modal title', (n: number) => modal({ title: { type: 'plain_text', text: x(n) } }), L.viewTitle],
    ['modal submit', (n: number) => modal({ submit: { type: 'plain_text', text: x(n) } }), L.viewTitle],
    ['modal close', (n: number) => modal({ close: { type: 'plain_text', text: x(n) } }), L.viewTitle],
    ['private_metadata', (n: number) => modal({ private_metadata: x(n) }), L.privateMetadata],
  ])('%s', (_name, view, limit) => {
    expect(checkView(view(limit), 'modal')).toEqual([]);
    expect(checkView(view(limit + 1), 'modal')).not.toEqual([]);
  });

  it('home tab blocks', () => {
    const home = (n: number) => ({ type: 'home', blocks: Array.from({ length: n }, () => divider) });
    expect(checkView(home(L.viewBlocks), 'home')).toEqual([]);
    expect(checkView(home(L.viewBlocks + 1), 'home')).not.toEqual([]);
  });
});

describe('splitLongLine', () => {
  it.each([
    ['at the last space that fits', 'aaaa bbbb cccc', 9, ['aaaa bbbb', 'cccc']],
    ['hard, when there is no space', 'abcdefghij', 4, ['abcd', 'efgh', 'ij']],
    ['never between the halves of an emoji', `abc${'🧋'}def`, 4, ['abc', '🧋de', 'f']],
    ['not at all when it fits', 'short', 10, ['short']],
  ])('splits %s', (_how, line, max, pieces) => {
    const split = splitLongLine(line, max);
    expect(split).toEqual(pieces);
    expect(split.every((p) => p.length <= max && !hasLoneSurrogate(p))).toBe(true);
  });
});

describe('chunkLines', () => {
  it('packs whole lines up to the limit and starts a new chunk rather than cut one', () => {
    expect(chunkLines(['aaa', 'bbb', 'ccc'], 7)).toEqual(['aaa\nbbb', 'ccc']);
    expect(chunkLines(['aaa', 'bbb', 'ccc'], 6)).toEqual(['aaa', 'bbb', 'ccc']);
    expect(chunkLines([], 10)).toEqual([]);
  });

  it('keeps every character of 20 orders of 250 characters, across sections of at most 3,000', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `${i + 1}. <@U${1000 + i}>: ${'🧋'.repeat(125)}`);
    const chunks = chunkLines(lines);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= L.sectionText && !hasLoneSurrogate(c))).toBe(true);
    expect(chunks.join('\n')).toBe(lines.join('\n'));
  });
});

describe('sectionsWithin', () => {
  it('says how many whole lines fit in the sections allowed', () => {
    const lines = Array.from({ length: 10 }, () => x(1000));
    const { blocks, shown } = sectionsWithin(lines, 3);
    expect(blocks).toHaveLength(3);
    expect(shown).toBe(6);
    expect(sectionsWithin(lines, 100).shown).toBe(10);
  });
});

describe('clampText', () => {
  it('shortens labels with an ellipsis, never inside an emoji', () => {
    expect(clampText('Change your order', 24)).toBe('Change your order');
    expect(clampText(x(30), 24)).toBe(`${x(23)}…`);
    const clamped = clampText(`${x(22)}🧋🧋`, 24);
    expect(clamped.length).toBeLessThanOrEqual(24);
    expect(hasLoneSurrogate(clamped)).toBe(false);
  });
});

describe('packMessages', () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => section(`order ${i + 1}`));
  const pack = (n: number) =>
    packMessages({
      lead: [section('lead')],
      body: body(n),
      tail: [section('tail')],
      continued: (i, total) => section(`continued ${i}/${total}`),
      text: (i, total) => `message ${i}/${total}`,
    });

  it.each([
    [48, 1],
    [49, 2],
    [97, 2],
    [98, 3],
    [200, 5],
  ])('%i body blocks take %i message(s), each within 50 blocks, in order, nothing lost', (n, messages) => {
    const packed = pack(n);
    expect(packed).toHaveLength(messages);
    expect(packed.every((m) => m.blocks.length <= L.messageBlocks)).toBe(true);
    expect(packed.every((m) => checkMessage(m).ok)).toBe(true);
    const texts = packed.flatMap((m) => m.blocks.map((b) => (b as { text: { text: string } }).text.text));
    const orders = texts.filter((t) => t.startsWith('order '));
    expect(orders).toEqual(body(n).map((b) => b.text.text));
    expect(texts[0]).toBe('lead');
    expect(texts[texts.length - 1]).toBe('tail');
    expect(packed.map((m) => m.text)).toEqual(packed.map((_, i) => `message ${i + 1}/${messages}`));
    for (const [i, m] of packed.entries()) {
      if (i > 0)
        expect((m.blocks[0] as { text: { text: string } }).text.text).toBe(`continued ${i + 1}/${messages}`);
    }
  });
});
