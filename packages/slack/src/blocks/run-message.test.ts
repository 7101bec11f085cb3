import { buildRunMessage, RUN_ACTIONS } from './run-message';

const base = {
  runId: '0b9e7a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b',
  initiatorId: 'U0001',
  status: 'open' as const,
  pickupAt: new Date('2026-11-25T10:30:00Z'),
  pickupText: '10:30',
  note: 'oat flat whites at <Blue Door>',
  orders: [],
};

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

  it('lists orders, stays within Block Kit limits with many, and drops the controls once closed', () => {
    const orders = Array.from({ length: 60 }, (_, i) => ({
      userId: `U${1000 + i}`,
      text: 'a very long order '.repeat(8),
    }));
    const { blocks } = buildRunMessage({ ...base, orders, status: 'closed' });
    expect(blocks.length).toBeLessThanOrEqual(50);
    const list = blocks.find((b) => b.block_id === 'run_orders') as { text: { text: string } };
    expect(list.text.text.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(blocks)).toContain('*Orders:* 60 people');
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});
