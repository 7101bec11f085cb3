import { Type } from '@sinclair/typebox';
import {
  Closed,
  Nullable,
  ReminderOffsetMinutes,
  RunId,
  SlackChannelId,
  SlackUserId,
  StringEnum,
  Timestamp,
} from './common';

/** `runner`: a DM to the run's runner before pickup. `last_call`: a message in the channel while the run is open. */
const ReminderKind = StringEnum(['runner', 'last_call']);

/**
 * A reminder to send at `remindAt` (pickup − the channel's offset). Produced through the outbox
 * whenever a run's pickup time, runner or the channel's reminder settings change; the newest
 * `version` of a run's reminders replaces older ones (a redelivered older one is ignored).
 */
export const ReminderScheduled = Closed(
  {
    runId: RunId,
    channelId: SlackChannelId,
    /** The runner, once the run is closed; null before (a runner reminder then waits for the close). */
    runnerId: Nullable(SlackUserId),
    kind: ReminderKind,
    pickupAt: Timestamp,
    remindAt: Timestamp,
    /** The channel's settings when the reminder was scheduled. */
    channelConfig: Closed({
      /** This kind of reminder is on: the channel is enabled and its runner reminders (`runner`) or last calls (`last_call`) are on. */
      enabled: Type.Boolean(),
      reminderOffsetMinutes: ReminderOffsetMinutes,
      lastCallEnabled: Type.Boolean(),
    }),
    /** The run's reminder version: a newer one replaces every older one of the same run and kind. */
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { title: 'ReminderScheduled' },
);

export const ReminderSent = Closed(
  {
    runId: RunId,
    kind: ReminderKind,
    remindAt: Timestamp,
    sentAt: Timestamp,
    lateByMs: Type.Integer(),
    /** It was due before the worker could send it (the worker was down), and still useful. */
    late: Type.Optional(Type.Boolean()),
  },
  { title: 'ReminderSent' },
);

export const ReminderFailed = Closed(
  {
    runId: RunId,
    kind: ReminderKind,
    remindAt: Timestamp,
    attempts: Type.Integer({ minimum: 1 }),
    error: Type.String({ maxLength: 2000 }),
  },
  { title: 'ReminderFailed' },
);
