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
