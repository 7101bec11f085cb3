/**
 * What to do with a reminder when it falls due, as a pure function of the reminder and of the
 * run and channel as they are now. The worker sends, waits or records why not.
 */

export type ReminderKind = 'runner' | 'last_call';

export interface DueReminder {
  kind: ReminderKind;
  /** The version this reminder was scheduled with. */
  version: number;
  remindAt: Date;
}

export interface ReminderState {
  /** The run as it is now; null when it no longer exists (reset, retention). */
  run: {
    status: 'open' | 'closed' | 'cancelled';
    runnerId: string | null;
    reminderVersion: number;
    pickupAt: Date | null;
  } | null;
  channel: { enabled: boolean; remindersEnabled: boolean; lastCallEnabled: boolean } | null;
}

/** Why a reminder was not sent: the outcome recorded for it. */
export type SkipOutcome = 'stale' | 'cancelled' | 'skipped' | 'missed';

export type ReminderDecision =
  | { action: 'send'; kind: ReminderKind; runnerId: string | null }
  | { action: 'wait'; reason: string }
  | { action: 'skip'; outcome: SkipOutcome; reason: string };

/**
 * - a newer version of the run's reminders exists → `stale` (the newer one is scheduled itself);
 * - the run is gone or cancelled → `cancelled`;
 * - the channel is disabled → `skipped`;
 * - the pickup time has passed → `missed` (a reminder after pickup is no use);
 * - last call: only while the run is open and the channel has last calls on, else `skipped`
 *   (its own switch: runner reminders off leave it alone);
 * - runner reminder: `skipped` when the channel's runner reminders are off; waits while the run
 *   is open (the runner is chosen at the close); a run closed without a runner → `cancelled`;
 *   else it is sent to the runner.
 */
export function decideReminder(reminder: DueReminder, state: ReminderState, now: Date): ReminderDecision {
  const { run, channel } = state;
  if (!run) return { action: 'skip', outcome: 'cancelled', reason: 'the run no longer exists' };
  if (reminder.version < run.reminderVersion) {
    return {
      action: 'skip',
      outcome: 'stale',
      reason: `version ${reminder.version} < ${run.reminderVersion}`,
    };
  }
  if (run.status === 'cancelled')
    return { action: 'skip', outcome: 'cancelled', reason: 'the run was cancelled' };
  if (!channel?.enabled) return { action: 'skip', outcome: 'skipped', reason: 'the channel is disabled' };
  if (!run.pickupAt || now >= run.pickupAt)
    return { action: 'skip', outcome: 'missed', reason: 'the pickup time has passed' };
  if (reminder.kind === 'last_call') {
    if (!channel.lastCallEnabled)
      return { action: 'skip', outcome: 'skipped', reason: 'the channel has last calls off' };
    if (run.status !== 'open')
      return { action: 'skip', outcome: 'skipped', reason: 'the run is already closed' };
    return { action: 'send', kind: 'last_call', runnerId: null };
  }
  if (!channel.remindersEnabled)
    return { action: 'skip', outcome: 'skipped', reason: 'the channel’s runner reminders are off' };
  if (run.status === 'open')
    return { action: 'wait', reason: 'the run is still open; the runner is chosen at the close' };
  if (!run.runnerId)
    return { action: 'skip', outcome: 'cancelled', reason: 'the run closed without a runner' };
  return { action: 'send', kind: 'runner', runnerId: run.runnerId };
}

/** A reminder counts as late when it went out more than this after it was due (the plan's ±1 min). */
export const LATE_AFTER_MS = 60_000;
