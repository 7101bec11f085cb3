import { Type } from '@sinclair/typebox';
import { CHANNEL_ADMINS_MAX } from '../channel-settings';
import {
  Closed,
  DataRetentionDays,
  FairnessWindowDays,
  Nullable,
  ReminderOffsetMinutes,
  SlackChannelId,
  SlackUserId,
} from './common';

/** A channel's settings (the `channels` row's editable columns). Later fields are optional: schema v1 had none. */
const ChannelSettings = Closed({
  enabled: Type.Boolean(),
  reminderOffsetMinutes: ReminderOffsetMinutes,
  lastCallEnabled: Type.Boolean(),
  fairnessWindowDays: FairnessWindowDays,
  dataRetentionDays: DataRetentionDays,
  remindersEnabled: Type.Optional(Type.Boolean()),
  adminUserIds: Type.Optional(Type.Array(SlackUserId, { maxItems: CHANNEL_ADMINS_MAX })),
  /** IANA timezone; null for UTC. */
  timezone: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
});

export const AdminConfigChanged = Closed(
  { channelId: SlackChannelId, actorId: SlackUserId, before: ChannelSettings, after: ChannelSettings },
  { title: 'AdminConfigChanged' },
);

export const ChannelReset = Closed(
  {
    channelId: SlackChannelId,
    actorId: SlackUserId,
    removed: Closed({
      runs: Type.Integer({ minimum: 0 }),
      orders: Type.Integer({ minimum: 0 }),
      userPreferences: Type.Integer({ minimum: 0 }),
      runnerStats: Type.Integer({ minimum: 0 }),
    }),
  },
  { title: 'ChannelReset' },
);
