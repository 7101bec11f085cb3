import { checkMessage, checkView } from '@coffeebuddy/slack-emulator';
import { decodeSlackText, plainText } from '../slack-text';
import { buildAppHome } from './app-home';
import { buildRunMessage, RUN_ACTIONS } from './run-message';
import { buildRunnerDm, buildRunSummary, type RunSummaryInput } from './run-summary';

const base = {
  runId: '0b9e7a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b',
  initiatorId: 'U0001',
  status: 'open' as const,
  pickupAt: new Date('2026-11-25T10:30:00Z'),
  pickupText: '10:30',
  note: 'oat flat whites at <Blue Door>',
  orders: [],
};
const settings = { enabled: true, reminderOffsetMinutes: 10, lastCallEnabled: false };
const summaryOf = (orders: { userId: string; text: string }[], extra: Partial<RunSummaryInput> = {}) => ({
  runId: base.runId,
  pickupAt: base.pickupAt,
  pickupText: base.pickupText,
  note: null,
  runnerId: 'U0002',
  why: 'fewest runs served',
  orders,
  ...extra,
});
/** n orders of `length` characters (code points) each: `7:xxxx…`. */
const ordersOf = (n: number, length: number, char = 'x') =>
  Array.from({ length: n }, (_, i) => ({
    userId: `U${1000 + i}`,
    text: `${i + 1}:${char.repeat(length - `${i + 1}:`.length)}`,
  }));
/** Every mrkdwn/plain text in a message, in order. */
const textsOf = (blocks: Record<string, unknown>[]) =>
  JSON.stringify(blocks)
    .match(/"text":"(?:[^"\\]|\\.)*"/g)
    ?.join('\n') ?? '';
/** Whether any string anywhere in `value` holds half of a surrogate pair. */
const hasLoneSurrogate = (value: unknown): boolean =>
  typeof value === 'string'
    ? /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)
    : typeof value === 'object' && value !== null && Object.values(value).some(hasLoneSurrogate);

describe('buildRunMessage', () => {
  it('shows header, pickup, note, participant count and the three controls', () => {
    const { text, blocks } = buildRunMessage(base);
    const json = JSON.stringify(blocks);
    expect(blocks[0]).toMatchObject({ type: 'header' });
    expect(json).toContain('<!date^1795602600^{time}|10:30>');
    expect(json).toContain('oat flat whites at &lt;Blue Door&gt;');
    expect(json).toContain('*Orders:* 0 people');
    const actions = blocks.find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      RUN_ACTIONS.placeOrder,
      RUN_ACTIONS.useLastOrder,
      RUN_ACTIONS.cancelOrder,
      RUN_ACTIONS.closeRun,
    ]);
    expect(actions.elements.every((e) => e.value === base.runId)).toBe(true);
    expect(text).toContain('pickup 10:30');
  });

  it('shows a note typed as "M&S run <3" escaped exactly once, mentions as links, broadcasts inert', () => {
    const parts = decodeSlackText(
      'M&amp;S run &lt;3 with <@U0002|grace> <!here> <!subteam^S1|@baristas> <https://blue.door|Blue Door>',
    );
    const { blocks } = buildRunMessage({ ...base, note: plainText(parts), noteParts: parts });
    const note = JSON.stringify(blocks.find((b) => b.type === 'context'));
    expect(note).toContain('M&amp;S run &lt;3 with <@U0002> @here @baristas <https://blue.door|Blue Door>');
    expect(note).not.toContain('&amp;amp;');
    expect(note).not.toContain('<!');
    expect(note).toContain('"verbatim":true');
  });

  it('treats stored parts that disagree with the stored note as plain text', () => {
    const { blocks } = buildRunMessage({
      ...base,
      note: 'hi',
      noteParts: [{ type: 'user', userId: 'U9', text: 'x' }],
    });
    expect(JSON.stringify(blocks)).toContain('📝 hi');
  });

  it.each([
    ['"M&S <3"', 'M&S <3', 'M&amp;S &lt;3'],
    ['"<!here>" typed into the modal', '<!here> oat', '&lt;!here&gt; oat'],
    ['"<@U0003>" typed into the modal', '<@U0003>', '&lt;@U0003&gt;'],
  ])('shows order text %s as typed, escaped once', (_name, typed, shown) => {
    const { blocks } = buildRunMessage({ ...base, orders: [{ userId: 'U0002', text: typed }] });
    expect(JSON.stringify(blocks)).toContain(`• <@U0002>: ${shown}`);
  });

  it.each([
    [20, 250],
    [60, 300],
    [150, 300],
  ])('lists all %i orders of %i characters within Block Kit limits while it can', (n, length) => {
    const message = buildRunMessage({ ...base, orders: ordersOf(n, length) });
    expect(checkMessage(message)).toEqual({ ok: true });
    const texts = textsOf(message.blocks);
    for (const order of ordersOf(n, length)) expect(texts).toContain(order.text);
    expect(texts).toContain(`*Orders:* ${n} people`);
  });

  it('says how many orders are not shown when they cannot fit one message, and never cuts one', () => {
    const orders = ordersOf(1000, 300, '🧋');
    for (const status of ['open', 'closed'] as const) {
      const message = buildRunMessage({ ...base, status, orders });
      expect(checkMessage(message)).toEqual({ ok: true });
      expect(hasLoneSurrogate(message)).toBe(false);
      const listed = textsOf(message.blocks);
      const shown = orders.filter((o) => listed.includes(`<@${o.userId}>: ${o.text}`));
      expect(shown.length).toBeGreaterThan(100);
      const note = JSON.stringify(message.blocks.at(status === 'open' ? -2 : -1));
      expect(note).toContain(`…and ${1000 - shown.length} more orders not shown here`);
      expect(note).toContain('the summary lists every order');
      expect(message.blocks.some((b) => b.type === 'actions')).toBe(status === 'open');
    }
  });
});

describe('buildRunSummary and buildRunnerDm', () => {
  it('list every one of 20 orders of 250 characters: the DM says 20 drinks and shows 20', () => {
    const orders = ordersOf(20, 250);
    for (const messages of [buildRunSummary(summaryOf(orders)), buildRunnerDm(summaryOf(orders), settings)]) {
      expect(messages.every((m) => checkMessage(m).ok)).toBe(true);
      const texts = messages.map((m) => textsOf(m.blocks)).join('\n');
      for (const [i, order] of orders.entries())
        expect(texts).toContain(`${i + 1}. <@${order.userId}>: ${order.text}`);
    }
    const [dm] = buildRunnerDm(summaryOf(orders), settings);
    expect(dm?.text).toContain('20 drinks');
  });

  it('continue in more messages past 50 blocks, in order, with the reminders at the very end', () => {
    const orders = ordersOf(600, 300, '☕');
    const summary = buildRunSummary(summaryOf(orders));
    const dm = buildRunnerDm(summaryOf(orders), settings);
    for (const messages of [summary, dm]) {
      expect(messages.length).toBeGreaterThan(1);
      for (const message of messages) {
        expect(checkMessage(message)).toEqual({ ok: true });
        expect(hasLoneSurrogate(message)).toBe(false);
      }
      const all = messages.map((m) => textsOf(m.blocks)).join('\n');
      let at = -1;
      for (const [i, order] of orders.entries()) {
        const found = all.indexOf(`${i + 1}. <@${order.userId}>: ${order.text}`);
        expect(found).toBeGreaterThan(at);
        at = found;
      }
      expect(messages[1]?.text).toMatch(/continued \(2 of \d+\)/);
    }
    expect(JSON.stringify(dm.at(-1)?.blocks.at(-1))).toContain("I'll remind you 10 min before pickup.");
    expect(dm[0]?.text).toContain('600 drinks');
  });

  it('show the note and order text escaped exactly once', () => {
    const parts = decodeSlackText('M&amp;S run &lt;3');
    const input = summaryOf([{ userId: 'U0003', text: 'tea & <biscuits>' }], {
      note: plainText(parts),
      noteParts: parts,
    });
    for (const [message] of [buildRunSummary(input), buildRunnerDm(input, settings)]) {
      const json = JSON.stringify(message?.blocks);
      expect(json).toContain('📝 M&amp;S run &lt;3');
      expect(json).toContain('1. <@U0003>: tea &amp; &lt;biscuits&gt;');
      expect(json).not.toContain('&amp;amp;');
    }
  });

  it('say so when nobody ordered', () => {
    expect(buildRunSummary(summaryOf([], { runnerId: null }))).toHaveLength(1);
  });
});

describe('buildAppHome', () => {
  it('shows last orders escaped once and stays within the Home tab limits with many channels', () => {
    const channelIds = Array.from({ length: 3000 }, (_, i) => `C${String(i).padStart(6, '0')}`);
    const view = buildAppHome({
      stats: channelIds.map((channelId, i) => ({ channelId, runsServedCount: i % 3 })),
      preferences: channelIds.map((channelId, i) => ({
        channelId,
        lastOrderText: `M&S <${i}> ${'x'.repeat(250)}`,
      })),
    });
    expect(checkView(view, 'home')).toEqual([]);
    const json = JSON.stringify(view);
    expect(json).toContain('<#C000000>: 0 runs served · last order: M&amp;S &lt;0&gt;');
    expect(json).toMatch(/…and \d+ more channels\./);
  });

  it('greets someone with no history', () => {
    expect(JSON.stringify(buildAppHome({ stats: [], preferences: [] }))).toContain('You have not ordered');
  });
});
