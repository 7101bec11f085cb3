import { parseConfig, WorkerConfigProperties } from '@coffeebuddy/service-kit';
import { SlackConfigProperties } from '@coffeebuddy/slack';
import { type Static, Type } from '@sinclair/typebox';

/** Settings of the reminder-worker, validated once at start-up. */
export const ReminderConfigSchema = Type.Object({
  ...WorkerConfigProperties,
  ...SlackConfigProperties,
  OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9467 }),
  /**
   * How often due reminders are looked for (ms). It bounds how late a reminder fires (DESIGN §8:
   * p99 ≤ 1 s), so it is shorter than the services' default.
   */
  EFFECTS_INTERVAL_MS: Type.Integer({ minimum: 10, default: 200 }),
  /** How often a runner reminder due while its run is still open looks again for the close (ms). */
  REMINDER_WAIT_FOR_CLOSE_MS: Type.Integer({ minimum: 100, default: 5_000 }),
});

export type ReminderConfig = Static<typeof ReminderConfigSchema>;

export const loadReminderConfig = (env: Record<string, string | undefined>): ReminderConfig =>
  parseConfig(ReminderConfigSchema, env);
