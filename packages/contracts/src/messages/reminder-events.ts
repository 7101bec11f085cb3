import { Type } from '@sinclair/typebox';
import { Closed, ReminderOffsetMinutes, RunId, SlackChannelId, SlackUserId, Timestamp } from './common';

const ReminderKind = Type.Union([Type.Literal('runner'), Type.Literal('last_call')]);

export const ReminderScheduled = Closed(
  {
    runId: RunId,
    channelId: SlackChannelId,
    runnerId: SlackUserId,
    kind: ReminderKind,
    pickupAt: Timestamp,
    remindAt: Timestamp,
    /** The channel's settings when the reminder was scheduled. */
    channelConfig: Closed({
      enabled: Type.Boolean(),
      reminderOffsetMinutes: ReminderOffsetMinutes,
      lastCallEnabled: Type.Boolean(),
    }),
  },
  { title: 'ReminderScheduled' },
);

export const ReminderSent = Closed(
  { runId: RunId, kind: ReminderKind, remindAt: Timestamp, sentAt: Timestamp, lateByMs: Type.Integer() },
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
