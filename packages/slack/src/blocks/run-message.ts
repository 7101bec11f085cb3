import {
  BLOCK_KIT_LIMITS,
  type Block,
  mrkdwnContext,
  mrkdwnSection,
  type SlackMessage,
  sectionsWithin,
} from '../block-kit';
import { escapeMrkdwn, oneLine, partsOrPlain, renderMrkdwn } from '../slack-text';

// Kept here too: slack-actions.ts imports the type from this module.
export type { SlackMessage } from '../block-kit';

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

/** An order as stored: who, and the text exactly as they typed it (never escaped). */
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
  /** The note as typed (plain text). */
  note: string | null;
  /** The note's mentions, channel links and URLs (`TextPart[]` as stored); plain text when absent. */
  noteParts?: unknown;
  orders: RunMessageOrder[];
}

/** A pickup time every reader sees in their own timezone (Slack date formatting). */
export function formatPickup(pickupAt: Date | null, pickupText: string | null): string {
  if (!pickupAt) return 'no pickup time set';
  const unix = Math.floor(pickupAt.getTime() / 1000);
  const fallback = pickupText ?? pickupAt.toISOString();
  return `<!date^${unix}^{time}|${escapeMrkdwn(fallback)}>`;
}

/** The note as mrkdwn: mentions, channel links and URLs stay links; everything else is text. */
export function renderNote(note: string, noteParts?: unknown): string {
  return renderMrkdwn(partsOrPlain(note, noteParts));
}

/** One order as one line: `• <@U…>: text`, the text escaped once and kept on one line. */
export function orderLine(order: RunMessageOrder, bullet = '•'): string {
  return `${bullet} <@${order.userId}>: ${renderMrkdwn(oneLine(order.text))}`;
}

const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);

function actionsBlock(runId: string): Block {
  return {
    type: 'actions',
    block_id: 'run_actions',
    elements: [
      {
        type: 'button',
        action_id: RUN_ACTIONS.placeOrder,
        value: runId,
        style: 'primary',
        text: { type: 'plain_text', text: 'Place order' },
      },
      {
        type: 'button',
        action_id: RUN_ACTIONS.useLastOrder,
        value: runId,
        text: { type: 'plain_text', text: 'Use my last order' },
      },
      {
        type: 'button',
        action_id: RUN_ACTIONS.cancelOrder,
        value: runId,
        text: { type: 'plain_text', text: 'Cancel my order' },
      },
      {
        type: 'button',
        action_id: RUN_ACTIONS.closeRun,
        value: runId,
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
  };
}

/**
 * The run message: always one message (it is edited in place). It lists every order that fits
 * within Block Kit's limits, whole and in order; when the orders would not fit one message (many
 * hundreds of them), the last block says how many are not shown and where to find them — the
 * closing summary and the runner's DM always list every order.
 */
export function buildRunMessage(run: RunMessageInput): SlackMessage {
  const participants = run.orders.length;
  const summaryLine = [
    `*Pickup:* ${formatPickup(run.pickupAt, run.pickupText)}`,
    `*Started by:* <@${run.initiatorId}>`,
    `*Orders:* ${people(participants)}`,
  ].join('   ');
  const head: Block[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: {
          open: '☕ Coffee run',
          closed: '☕ Coffee run (closed)',
          cancelled: '☕ Coffee run (cancelled)',
        }[run.status],
        emoji: true,
      },
    },
    mrkdwnSection(summaryLine, 'run_summary'),
  ];
  if (run.note) head.push(mrkdwnContext(`📝 ${renderNote(run.note, run.noteParts)}`));
  const tail = run.status === 'open' ? [actionsBlock(run.runId)] : [];
  const orders: Block[] = [];
  if (participants > 0) {
    const room = BLOCK_KIT_LIMITS.messageBlocks - head.length - tail.length;
    const lines = run.orders.map((order) => orderLine(order));
    let fitted = sectionsWithin(lines, room);
    if (fitted.shown < participants) {
      // One block goes to saying what is left out.
      fitted = sectionsWithin(lines, room - 1);
      const missing = participants - fitted.shown;
      const where =
        run.status === 'open'
          ? 'the summary lists every order when the run closes'
          : 'the summary lists every order';
      orders.push(
        ...fitted.blocks,
        mrkdwnContext(`…and ${missing} more order${missing === 1 ? '' : 's'} not shown here — ${where}.`),
      );
    } else {
      orders.push(...fitted.blocks);
    }
    const first = orders[0];
    if (first) first.block_id = 'run_orders';
  }
  const text = `☕ Coffee run by <@${run.initiatorId}> — pickup ${escapeMrkdwn(run.pickupText ?? 'time not set')}, ${people(participants)} ordered`;
  return { text, blocks: [...head, ...orders, ...tail] };
}
