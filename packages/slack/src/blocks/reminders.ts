import { escapeMrkdwn, formatPickup, type RunMessageOrder, type SlackMessage } from './run-message';

/** What a reminder shows of its run, read when it is sent. */
export interface ReminderRun {
  pickupAt: Date;
  pickupText: string | null;
  note: string | null;
  /** The orders as they stood at the close (the runner's list). */
  orders: RunMessageOrder[];
}

const drinks = (n: number) => `${n} drink${n === 1 ? '' : 's'}`;

/** Whole minutes from `now` until pickup, at least 1 ("in 1 min", never "in 0 min"). */
export function minutesUntil(pickupAt: Date, now: Date): number {
  return Math.max(1, Math.round((pickupAt.getTime() - now.getTime()) / 60_000));
}

/**
 * The runner's reminder DM: "⏰ Pickup in 10 min — Blue Door: 4 drinks", then every order (the
 * same list as the summary), and the pickup time in the reader's own timezone.
 */
export function buildRunnerReminder(run: ReminderRun, now: Date): SlackMessage {
  const minutes = minutesUntil(run.pickupAt, now);
  const where = run.note ? ` — ${escapeMrkdwn(run.note)}` : '';
  const lines = run.orders.map((o, i) => `${i + 1}. <@${o.userId}>: ${escapeMrkdwn(o.text)}`).join('\n');
  return {
    text: `⏰ Pickup in ${minutes} min: ${drinks(run.orders.length)}`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `⏰ *Pickup in ${minutes} min*${where}: ${drinks(run.orders.length)}` },
      },
      ...(lines ? [{ type: 'section', text: { type: 'mrkdwn', text: lines.slice(0, 3000) } }] : []),
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Pickup at ${formatPickup(run.pickupAt, run.pickupText)}` }],
      },
    ],
  };
}

/** The channel's last call while the run is open: "Last call for coffee — closing soon". */
export function buildLastCall(
  run: Pick<ReminderRun, 'pickupAt' | 'pickupText' | 'note'>,
  now: Date,
): SlackMessage {
  const minutes = minutesUntil(run.pickupAt, now);
  return {
    text: `📣 Last call for coffee — closing soon (pickup in ${minutes} min)`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `📣 *Last call for coffee — closing soon.* Pickup at ${formatPickup(run.pickupAt, run.pickupText)} (in ${minutes} min)${
            run.note ? ` — ${escapeMrkdwn(run.note)}` : ''
          }. Order on the run message above.`,
        },
      },
    ],
  };
}
