import { Type } from '@sinclair/typebox';
import {
  Closed,
  DataRetentionDays,
  FairnessWindowDays,
  ReminderOffsetMinutes,
  SlackChannelId,
  SlackUserId,
} from './common';

const ChannelSettings = Closed({
  enabled: Type.Boolean(),
  reminderOffsetMinutes: ReminderOffsetMinutes,
  lastCallEnabled: Type.Boolean(),
  fairnessWindowDays: FairnessWindowDays,
  dataRetentionDays: DataRetentionDays,
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
