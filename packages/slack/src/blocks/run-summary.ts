import { escapeMrkdwn, formatPickup, type RunMessageOrder, type SlackMessage } from './run-message';

/**
 * The closing summary in the channel and the runner's DM. Both come from one snapshot, so they
 * always agree; the DM adds the drink count and the channel's reminder settings.
 */

export interface RunSummaryInput {
  runId: string;
  pickupAt: Date | null;
  pickupText: string | null;
  note: string | null;
  runnerId: string | null;
  /** One line: why this runner. */
  why: string;
  /** In the order they are shown (the snapshot's order). */
  orders: RunMessageOrder[];
}

export interface ReminderSettings {
  enabled: boolean;
  reminderOffsetMinutes: number;
  lastCallEnabled: boolean;
}

function orderLines(orders: RunMessageOrder[]): string {
  return orders.map((o, i) => `${i + 1}. <@${o.userId}>: ${escapeMrkdwn(o.text)}`).join('\n');
}

export function buildRunSummary(summary: RunSummaryInput): SlackMessage {
  if (!summary.runnerId) {
    return {
      text: '☕ Coffee run closed — nobody ordered, so there is no runner this time.',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '☕ *Coffee run closed* — nobody ordered, so there is no runner this time.',
          },
        },
      ],
    };
  }
  const drinks = summary.orders.length;
  return {
    text: `☕ Coffee run closed — <@${summary.runnerId}> is fetching ${drinks} drink${drinks === 1 ? '' : 's'}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '☕ Coffee run closed' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*Runner:* <@${summary.runnerId}>   *Pickup:* ${formatPickup(summary.pickupAt, summary.pickupText)}${
            summary.note ? `\n📝 ${escapeMrkdwn(summary.note)}` : ''
          }`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Why <@${summary.runnerId}>: ${escapeMrkdwn(summary.why)}` }],
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*Orders (${drinks}):*\n${orderLines(summary.orders)}`.slice(0, 3000) },
      },
    ],
  };
}

export function describeReminders(settings: ReminderSettings, pickupAt: Date | null): string {
  if (!settings.enabled || !pickupAt) return 'No reminder: this run has no pickup time.';
  const lastCall = settings.lastCallEnabled ? ' The channel also gets a last call.' : '';
  return `I'll remind you ${settings.reminderOffsetMinutes} min before pickup.${lastCall}`;
}

export function buildRunnerDm(summary: RunSummaryInput, settings: ReminderSettings): SlackMessage {
  const drinks = summary.orders.length;
  return {
    text: `You're on coffee duty: ${drinks} drink${drinks === 1 ? '' : 's'}, pickup ${summary.pickupText ?? 'time not set'}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: "☕ You're on coffee duty" } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*Pickup:* ${formatPickup(summary.pickupAt, summary.pickupText)}   *Drinks:* ${drinks}${
            summary.note ? `\n📝 ${escapeMrkdwn(summary.note)}` : ''
          }`,
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Why you: ${escapeMrkdwn(summary.why)}` }] },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*Orders (${drinks}):*\n${orderLines(summary.orders)}`.slice(0, 3000) },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: describeReminders(settings, summary.pickupAt) }],
      },
    ],
  };
}
