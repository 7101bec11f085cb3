import type { PayloadOf } from '@coffeebuddy/contracts';

/** What a run's reminders are computed from. */
export interface ReminderInput {
  runId: string;
  channelId: string;
  status: 'open' | 'closed' | 'cancelled';
  pickupAt: Date | null;
  runnerId: string | null;
  /** The version these schedules carry (the run's new reminder version). */
  version: number;
  /** When they are scheduled: a last call already due by then is not worth sending. */
  now?: Date;
  channel: {
    enabled: boolean;
    remindersEnabled: boolean;
    reminderOffsetMinutes: number;
    lastCallEnabled: boolean;
  };
}

const MINUTE_MS = 60_000;

/**
 * When a reminder is due: `offsetMinutes` before the pickup instant. The arithmetic is on
 * instants, so a DST change between the two moves neither (a pickup at 03:10 on the spring-forward
 * day, offset 30, is due 30 real minutes earlier whatever the wall clock says).
 */
export function reminderDueAt(pickupAt: Date, offsetMinutes: number): Date {
  return new Date(pickupAt.getTime() - offsetMinutes * MINUTE_MS);
}

/**
 * The `reminder_scheduled` payloads a run implies now: none without a pickup time or once it is
 * cancelled; for an open run the runner reminder (which waits for the close to know its runner)
 * and the last call — unless the last call would already be due (an offset longer than the time
 * to pickup: a "closing soon" right as the run starts is noise); for a closed run with a runner,
 * the runner reminder only. Each carries the channel's settings as they are, `enabled` saying
 * whether that kind is on (runner reminders and last calls are separate switches); the worker
 * still checks the current state before it sends anything.
 */
export function reminderSchedules(input: ReminderInput): PayloadOf<'reminder_scheduled'>[] {
  if (!input.pickupAt || input.status === 'cancelled') return [];
  if (input.status === 'closed' && !input.runnerId) return [];
  const remindAt = reminderDueAt(input.pickupAt, input.channel.reminderOffsetMinutes).toISOString();
  const base = {
    runId: input.runId,
    channelId: input.channelId,
    runnerId: input.runnerId,
    pickupAt: input.pickupAt.toISOString(),
    remindAt,
    version: input.version,
  };
  const config = (enabled: boolean) => ({
    enabled: input.channel.enabled && enabled,
    reminderOffsetMinutes: input.channel.reminderOffsetMinutes,
    lastCallEnabled: input.channel.lastCallEnabled,
  });
  const schedules: PayloadOf<'reminder_scheduled'>[] = [
    { ...base, kind: 'runner', channelConfig: config(input.channel.remindersEnabled) },
  ];
  const lastCallDue = new Date(remindAt).getTime() <= (input.now ?? new Date()).getTime();
  if (input.status === 'open' && !lastCallDue) {
    schedules.push({ ...base, kind: 'last_call', channelConfig: config(input.channel.lastCallEnabled) });
  }
  return schedules;
}
