import {
  mrkdwnContext,
  mrkdwnSection,
  packMessages,
  type SlackMessage,
  sectionsFromLines,
} from '../block-kit';
import { formatPickup, orderLine, type RunMessageOrder, renderNote } from './run-message';

/** What a reminder shows of its run, read when it is sent. */
export interface ReminderRun {
  pickupAt: Date;
  pickupText: string | null;
  /** The note as typed, and its stored parts (mentions, links), as on the run message. */
  note: string | null;
  noteParts?: unknown;
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
 * same numbered list as the summary, continued in further messages past 50 blocks), and the
 * pickup time in the reader's own timezone.
 */
export function buildRunnerReminder(run: ReminderRun, now: Date): SlackMessage[] {
  const minutes = minutesUntil(run.pickupAt, now);
  const where = run.note ? ` — ${renderNote(run.note, run.noteParts)}` : '';
  const count = drinks(run.orders.length);
  return packMessages({
    lead: [mrkdwnSection(`⏰ *Pickup in ${minutes} min*${where}: ${count}`)],
    body: sectionsFromLines(run.orders.map((order, i) => orderLine(order, `${i + 1}.`))),
    tail: [mrkdwnContext(`Pickup at ${formatPickup(run.pickupAt, run.pickupText)}`)],
    continued: (index, total) => mrkdwnContext(`Your coffee run, continued (${index} of ${total})`),
    text: (index, total) => `⏰ Pickup in ${minutes} min: ${count}${total > 1 ? ` (${index}/${total})` : ''}`,
  });
}

/** The channel's last call while the run is open: "Last call for coffee — closing soon". */
export function buildLastCall(
  run: Pick<ReminderRun, 'pickupAt' | 'pickupText' | 'note' | 'noteParts'>,
  now: Date,
): SlackMessage {
  const minutes = minutesUntil(run.pickupAt, now);
  const note = run.note ? ` — ${renderNote(run.note, run.noteParts)}` : '';
  return {
    text: `📣 Last call for coffee — closing soon (pickup in ${minutes} min)`,
    blocks: [
      mrkdwnSection(
        `📣 *Last call for coffee — closing soon.* Pickup at ${formatPickup(run.pickupAt, run.pickupText)} (in ${minutes} min)${note}. Order on the run message above.`,
      ),
    ],
  };
}
