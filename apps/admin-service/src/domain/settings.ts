import {
  CHANNEL_SETTING_BOUNDS,
  type ChannelSettings,
  diffChannelSettings,
  type SettingChange,
} from '@coffeebuddy/contracts';
import { describeSetting, SETTING_LABELS } from '@coffeebuddy/slack';

/** The columns of a `channels` row the settings are read from (null: the channel has no row yet). */
export interface ChannelRow {
  enabled: boolean;
  remindersEnabled: boolean;
  lastCallEnabled: boolean;
  reminderOffsetMinutes: number;
  fairnessWindowDays: number;
  dataRetentionDays: number;
  adminUserIds: string[];
  timezone: string | null;
}

/** The settings of a channel; a channel never configured has the defaults (the table's). Pure. */
export function settingsOf(row: ChannelRow | null): ChannelSettings {
  if (!row) {
    return {
      enabled: true,
      remindersEnabled: true,
      lastCallEnabled: false,
      reminderOffsetMinutes: CHANNEL_SETTING_BOUNDS.reminderOffsetMinutes.default,
      fairnessWindowDays: CHANNEL_SETTING_BOUNDS.fairnessWindowDays.default,
      dataRetentionDays: CHANNEL_SETTING_BOUNDS.dataRetentionDays.default,
      adminUserIds: [],
      timezone: null,
    };
  }
  return {
    enabled: row.enabled,
    remindersEnabled: row.remindersEnabled,
    lastCallEnabled: row.lastCallEnabled,
    reminderOffsetMinutes: row.reminderOffsetMinutes,
    fairnessWindowDays: row.fairnessWindowDays,
    dataRetentionDays: row.dataRetentionDays,
    adminUserIds: [...row.adminUserIds].sort(),
    timezone: row.timezone,
  };
}

/** The audit row's `before` and `after`: only the fields that changed. Pure. */
export function auditDiff(changes: SettingChange[]): {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
} {
  return {
    before: Object.fromEntries(changes.map((c) => [c.field, c.before])),
    after: Object.fromEntries(changes.map((c) => [c.field, c.after])),
  };
}

/** The audit action: turning the channel on or off is named as such, anything else is a config change. */
export function auditAction(before: ChannelSettings, after: ChannelSettings): string {
  if (before.enabled && !after.enabled) return 'channel_disabled';
  if (!before.enabled && after.enabled) return 'channel_enabled';
  return 'config_changed';
}

/** The admin's confirmation: what changed, from → to, one line each (mrkdwn). Pure. */
export function savedText(channelId: string, before: ChannelSettings, after: ChannelSettings): string {
  const changes = diffChannelSettings(before, after);
  if (changes.length === 0) return `Nothing changed in CoffeeBuddy's settings for <#${channelId}>.`;
  const lines = changes.map(
    (c) =>
      `• ${SETTING_LABELS[c.field]}: ${describeSetting(c.field, c.before)} → ${describeSetting(c.field, c.after)}`,
  );
  const off =
    before.enabled && !after.enabled ? '\nCoffee runs are now off here; an open run is cancelled.' : '';
  const shorter =
    after.dataRetentionDays < before.dataRetentionDays
      ? `\nRuns that ended more than ${after.dataRetentionDays} days ago, and saved orders unused as long, are deleted at the next retention sweep (within the hour).`
      : '';
  return `Saved CoffeeBuddy's settings for <#${channelId}>:\n${lines.join('\n')}${off}${shorter}`;
}
