/**
 * Bounds of the per-channel settings. The database enforces the same ranges with CHECK
 * constraints (see the init migration; the schema test compares them), so a value outside
 * them cannot be stored whichever code path writes it.
 */
export const CHANNEL_SETTING_BOUNDS = {
  dataRetentionDays: { min: 1, max: 3650, default: 90 },
  reminderOffsetMinutes: { min: 1, max: 120, default: 5 },
  fairnessWindowDays: { min: 1, max: 365, default: 30 },
} as const;

/** People on a channel's admin list at most (Slack's multi_users_select has no limit; we do). */
export const CHANNEL_ADMINS_MAX = 50;

/** A channel's settings as admin-service stores them (the `channels` row's editable columns). */
export interface ChannelSettings {
  enabled: boolean;
  remindersEnabled: boolean;
  lastCallEnabled: boolean;
  reminderOffsetMinutes: number;
  fairnessWindowDays: number;
  dataRetentionDays: number;
  /** Slack user IDs, sorted, without duplicates. */
  adminUserIds: string[];
  /** IANA timezone, or null for UTC. */
  timezone: string | null;
}

/** The editable settings, in the order people see them (the audit's diff follows it). */
export const CHANNEL_SETTING_FIELDS = [
  'enabled',
  'remindersEnabled',
  'lastCallEnabled',
  'reminderOffsetMinutes',
  'fairnessWindowDays',
  'dataRetentionDays',
  'adminUserIds',
  'timezone',
] as const satisfies readonly (keyof ChannelSettings)[];

/**
 * The settings form as text, the way a person fills it in (the admin modal's inputs): numbers as
 * typed, the admin list as user IDs, the timezone as an IANA name or empty for UTC.
 */
export interface ChannelSettingsForm {
  enabled: boolean;
  remindersEnabled: boolean;
  lastCallEnabled: boolean;
  reminderOffsetMinutes: string;
  fairnessWindowDays: string;
  dataRetentionDays: string;
  adminUserIds: string[];
  timezone: string;
}

/** Which form fields can be wrong, each with what to tell the person. */
export type ChannelSettingsErrors = Partial<Record<keyof ChannelSettingsForm, string>>;

export type ChannelSettingsResult =
  | { ok: true; settings: ChannelSettings }
  | { ok: false; errors: ChannelSettingsErrors };

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * The IANA timezone `zone` names in its standard spelling (`europe/berlin` → `Europe/Berlin`), or
 * null when this runtime does not know it (Intl, i.e. the ICU time zone data).
 */
export function canonicalTimeZone(zone: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Whether `zone` is an IANA timezone this runtime knows. */
export function isKnownTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== null;
}

function wholeNumberIn(
  raw: string,
  bounds: { min: number; max: number },
  unit: string,
): { value: number } | { error: string } {
  // Thousands separators as people write them ("3,650", "3 650") are fine.
  const text = raw.trim().replace(/(?<=\d)[, ](?=\d{3}(?!\d))/g, '');
  const range = `between ${bounds.min} and ${bounds.max.toLocaleString('en-US')} ${unit}`;
  if (text === '') return { error: `Enter a number of ${unit} (${range}).` };
  if (!/^\d+$/.test(text)) return { error: `Enter a whole number of ${unit}, ${range}.` };
  const value = Number(text);
  if (value < bounds.min || value > bounds.max) return { error: `Must be ${range}.` };
  return { value };
}

/**
 * The rules for a channel's settings, in one place for the gateway (field errors answered to the
 * modal at once, `response_action: errors`) and admin-service (which checks again before
 * writing): the offset 1–120 minutes, the fairness window 1–365 days, retention 1–3,650 days and
 * at least the fairness window (the retention sweep never deletes runs fairness still counts),
 * at most {@link CHANNEL_ADMINS_MAX} admins given as Slack user IDs, a timezone known to the IANA
 * database (or empty for UTC). Pure. Errors are keyed by form field and say what to enter.
 */
export function validateChannelSettings(form: ChannelSettingsForm): ChannelSettingsResult {
  const errors: ChannelSettingsErrors = {};
  const B = CHANNEL_SETTING_BOUNDS;
  const offset = wholeNumberIn(form.reminderOffsetMinutes, B.reminderOffsetMinutes, 'minutes');
  const window = wholeNumberIn(form.fairnessWindowDays, B.fairnessWindowDays, 'days');
  const retention = wholeNumberIn(form.dataRetentionDays, B.dataRetentionDays, 'days');
  if ('error' in offset) errors.reminderOffsetMinutes = offset.error;
  if ('error' in window) errors.fairnessWindowDays = window.error;
  if ('error' in retention) errors.dataRetentionDays = retention.error;
  if ('value' in window && 'value' in retention && retention.value < window.value) {
    errors.dataRetentionDays = `Keep history at least as long as the fairness window (${window.value} days), or fairness would forget runs it counts.`;
  }
  const admins = [...new Set(form.adminUserIds.map((id) => id.trim()).filter((id) => id !== ''))].sort();
  if (admins.some((id) => !SLACK_USER_ID.test(id))) errors.adminUserIds = 'Pick people from the list.';
  else if (admins.length > CHANNEL_ADMINS_MAX)
    errors.adminUserIds = `At most ${CHANNEL_ADMINS_MAX} channel admins.`;
  const zone = form.timezone.trim();
  const canonicalZone = zone === '' ? null : canonicalTimeZone(zone);
  if (zone !== '' && !canonicalZone) {
    errors.timezone = `"${zone.slice(0, 60)}" is not a timezone I know. Use an IANA name such as Europe/Berlin or America/New_York, or leave it empty for UTC.`;
  }
  if (Object.keys(errors).length > 0 || 'error' in offset || 'error' in window || 'error' in retention) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    settings: {
      enabled: form.enabled,
      remindersEnabled: form.remindersEnabled,
      lastCallEnabled: form.lastCallEnabled,
      reminderOffsetMinutes: offset.value,
      fairnessWindowDays: window.value,
      dataRetentionDays: retention.value,
      adminUserIds: admins,
      timezone: canonicalZone,
    },
  };
}

/** Settings as the form shows them (the inverse of what {@link validateChannelSettings} parses). Pure. */
export function settingsForm(settings: ChannelSettings): ChannelSettingsForm {
  return {
    enabled: settings.enabled,
    remindersEnabled: settings.remindersEnabled,
    lastCallEnabled: settings.lastCallEnabled,
    reminderOffsetMinutes: String(settings.reminderOffsetMinutes),
    fairnessWindowDays: String(settings.fairnessWindowDays),
    dataRetentionDays: String(settings.dataRetentionDays),
    adminUserIds: [...settings.adminUserIds],
    timezone: settings.timezone ?? '',
  };
}

/**
 * What a person's edit does to the settings as they are now: only the fields they changed from
 * what their form showed (`shown`) are taken from `submitted`, so two admins editing different
 * settings at once do not undo each other (the same field: the later save wins). Pure; validate
 * the result, since a combination may break a cross-field rule.
 */
export function mergeChannelSettings(
  current: ChannelSettings,
  shown: ChannelSettings,
  submitted: ChannelSettings,
): ChannelSettings {
  const merged = { ...current };
  for (const { field } of diffChannelSettings(shown, submitted)) {
    (merged as Record<string, unknown>)[field] = submitted[field];
  }
  return merged;
}

/** One changed setting: its name and its value before and after. */
export interface SettingChange {
  field: (typeof CHANNEL_SETTING_FIELDS)[number];
  before: unknown;
  after: unknown;
}

/** The settings that differ between `before` and `after`, in {@link CHANNEL_SETTING_FIELDS} order. Pure. */
export function diffChannelSettings(before: ChannelSettings, after: ChannelSettings): SettingChange[] {
  return CHANNEL_SETTING_FIELDS.filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  ).map((field) => ({ field, before: before[field], after: after[field] }));
}
