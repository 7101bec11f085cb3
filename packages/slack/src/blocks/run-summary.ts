import {
  type Block,
  mrkdwnContext,
  mrkdwnSection,
  packMessages,
  type SlackMessage,
  sectionsFromLines,
} from '../block-kit';
import { escapeMrkdwn } from '../slack-text';
import { formatPickup, orderLine, type RunMessageOrder, renderNote } from './run-message';

/**
 * The closing summary in the channel and the runner's DM. Both come from one snapshot, so they
 * always agree; the DM adds the drink count and the channel's reminder settings. Each is one or
 * more messages, in the order they are to be posted: every order is listed, whole, and a list
 * longer than one message (50 blocks) continues in the next.
 */

export interface RunSummaryInput {
  runId: string;
  pickupAt: Date | null;
  pickupText: string | null;
  /** The note as typed, and its stored parts (see RunMessageInput). */
  note: string | null;
  noteParts?: unknown;
  runnerId: string | null;
  /** One line: why this runner. */
  why: string;
  /** In the order they are shown (the snapshot's order). */
  orders: RunMessageOrder[];
  /**
   * Slack's error when the runner's DM could not be sent: the summary then says so, inside its
   * first message (the one `chat.update` re-renders), without moving any order.
   */
  runnerDmError?: string | null;
}

export interface ReminderSettings {
  enabled: boolean;
  reminderOffsetMinutes: number;
  lastCallEnabled: boolean;
}

const drinksWord = (n: number) => `${n} drink${n === 1 ? '' : 's'}`;

/** The numbered order list as sections (each within Block Kit's section limit, lines whole). */
function orderSections(orders: RunMessageOrder[]): Block[] {
  const lines = [`*Orders (${orders.length}):*`, ...orders.map((order, i) => orderLine(order, `${i + 1}.`))];
  return sectionsFromLines(lines);
}

function noteSuffix(summary: RunSummaryInput): string {
  return summary.note ? `\n📝 ${renderNote(summary.note, summary.noteParts)}` : '';
}

const continued = (what: string) => (index: number, total: number) =>
  mrkdwnContext(`${what}, continued (${index} of ${total})`);

/** The channel's closing summary: one message, or several when the orders need them. */
export function buildRunSummary(summary: RunSummaryInput): SlackMessage[] {
  if (!summary.runnerId) {
    return [
      {
        text: '☕ Coffee run closed — nobody ordered, so there is no runner this time.',
        blocks: [mrkdwnSection('☕ *Coffee run closed* — nobody ordered, so there is no runner this time.')],
      },
    ];
  }
  const runner = summary.runnerId;
  const drinks = summary.orders.length;
  return packMessages({
    lead: [
      { type: 'header', text: { type: 'plain_text', text: '☕ Coffee run closed' } },
      mrkdwnSection(
        `*Runner:* <@${runner}>   *Pickup:* ${formatPickup(summary.pickupAt, summary.pickupText)}${noteSuffix(summary)}${
          summary.runnerDmError
            ? `\n⚠️ I couldn't send <@${runner}> their DM (Slack said \`${escapeMrkdwn(summary.runnerDmError)}\`) — please let them know.`
            : ''
        }`,
      ),
      mrkdwnContext(`Why <@${runner}>: ${escapeMrkdwn(summary.why)}`),
    ],
    body: orderSections(summary.orders),
    continued: continued('☕ Coffee run orders'),
    text: (index, total) =>
      index === 1
        ? `☕ Coffee run closed — <@${runner}> is fetching ${drinksWord(drinks)}`
        : `☕ Coffee run orders, continued (${index} of ${total})`,
  });
}

/**
 * The reminder line of the runner's DM. The run is closed by then, so the channel's last call
 * (sent only while a run is open) is not mentioned.
 */
export function describeReminders(settings: ReminderSettings, pickupAt: Date | null): string {
  if (!pickupAt) return 'No reminder: this run has no pickup time.';
  if (!settings.enabled) return 'No reminder: runner reminders are off in this channel.';
  return `I'll remind you ${settings.reminderOffsetMinutes} min before pickup.`;
}

/** The runner's DM: every order, the drink count and the reminder settings, in one or more messages. */
export function buildRunnerDm(summary: RunSummaryInput, settings: ReminderSettings): SlackMessage[] {
  const drinks = summary.orders.length;
  const pickupText = escapeMrkdwn(summary.pickupText ?? 'time not set');
  return packMessages({
    lead: [
      { type: 'header', text: { type: 'plain_text', text: "☕ You're on coffee duty" } },
      mrkdwnSection(
        `*Pickup:* ${formatPickup(summary.pickupAt, summary.pickupText)}   *Drinks:* ${drinks}${noteSuffix(summary)}`,
      ),
      mrkdwnContext(`Why you: ${escapeMrkdwn(summary.why)}`),
    ],
    body: orderSections(summary.orders),
    tail: [mrkdwnContext(describeReminders(settings, summary.pickupAt))],
    continued: continued('☕ Your coffee run orders'),
    text: (index, total) =>
      index === 1
        ? `You're on coffee duty: ${drinksWord(drinks)}, pickup ${pickupText}`
        : `Your coffee run orders, continued (${index} of ${total})`,
  });
}
