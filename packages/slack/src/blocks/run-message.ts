/**
 * The interactive run message. Pure: the same run always renders the same blocks, so a
 * `chat.update` after any change shows the whole current state.
 */

export const RUN_ACTIONS = {
  placeOrder: 'place_order',
  useLastOrder: 'use_last_order',
  cancelOrder: 'cancel_order',
  closeRun: 'close_run',
} as const;

export type RunAction = (typeof RUN_ACTIONS)[keyof typeof RUN_ACTIONS];

export interface RunMessageOrder {
  userId: string;
  text: string;
}

export interface RunMessageInput {
  runId: string;
  initiatorId: string;
  status: 'open' | 'closed' | 'cancelled';
  pickupAt: Date | null;
  pickupText: string | null;
  note: string | null;
  orders: RunMessageOrder[];
}

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A pickup time every reader sees in their own timezone (Slack date formatting). */
export function formatPickup(pickupAt: Date | null, pickupText: string | null): string {
  if (!pickupAt) return 'no pickup time set';
  const unix = Math.floor(pickupAt.getTime() / 1000);
  const fallback = pickupText ?? pickupAt.toISOString();
  return `<!date^${unix}^{time}|${escapeMrkdwn(fallback)}>`;
}

const MAX_LISTED_ORDERS = 40;

export function buildRunMessage(run: RunMessageInput): SlackMessage {
  const participants = run.orders.length;
  const people = participants === 1 ? '1 person' : `${participants} people`;
  const summaryLine = [
    `*Pickup:* ${formatPickup(run.pickupAt, run.pickupText)}`,
    `*Started by:* <@${run.initiatorId}>`,
    `*Orders:* ${people}`,
  ].join('   ');
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: run.status === 'open' ? '☕ Coffee run' : '☕ Coffee run (closed)',
        emoji: true,
      },
    },
    { type: 'section', block_id: 'run_summary', text: { type: 'mrkdwn', text: summaryLine } },
  ];
  if (run.note) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `📝 ${escapeMrkdwn(run.note)}` }] });
  }
  if (participants > 0) {
    const listed = run.orders
      .slice(0, MAX_LISTED_ORDERS)
      .map((o) => `• <@${o.userId}>: ${escapeMrkdwn(o.text)}`);
    if (participants > MAX_LISTED_ORDERS) listed.push(`…and ${participants - MAX_LISTED_ORDERS} more`);
    blocks.push({
      type: 'section',
      block_id: 'run_orders',
      text: { type: 'mrkdwn', text: listed.join('\n').slice(0, 3000) },
    });
  }
  if (run.status === 'open') {
    blocks.push({
      type: 'actions',
      block_id: 'run_actions',
      elements: [
        {
          type: 'button',
          action_id: RUN_ACTIONS.placeOrder,
          value: run.runId,
          style: 'primary',
          text: { type: 'plain_text', text: 'Place order' },
        },
        {
          type: 'button',
          action_id: RUN_ACTIONS.useLastOrder,
          value: run.runId,
          text: { type: 'plain_text', text: 'Use my last order' },
        },
        {
          type: 'button',
          action_id: RUN_ACTIONS.cancelOrder,
          value: run.runId,
          text: { type: 'plain_text', text: 'Cancel my order' },
        },
        {
          type: 'button',
          action_id: RUN_ACTIONS.closeRun,
          value: run.runId,
          style: 'danger',
          text: { type: 'plain_text', text: 'Close run' },
          confirm: {
            title: { type: 'plain_text', text: 'Close this run?' },
            text: { type: 'mrkdwn', text: 'Nobody can order after it closes, and a runner is picked.' },
            confirm: { type: 'plain_text', text: 'Close run' },
            deny: { type: 'plain_text', text: 'Keep it open' },
          },
        },
      ],
    });
  }
  const text = `☕ Coffee run by <@${run.initiatorId}> — pickup ${run.pickupText ?? 'time not set'}, ${people} ordered`;
  return { text, blocks };
}
