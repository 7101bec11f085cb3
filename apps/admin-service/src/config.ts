import { parseConfig, WorkerConfigProperties } from '@coffeebuddy/service-kit';
import { SlackConfigProperties } from '@coffeebuddy/slack';
import { type Static, Type } from '@sinclair/typebox';

const HOUR_MS = 60 * 60 * 1000;

/** Settings of admin-service, validated once at start-up. */
export const AdminConfigSchema = Type.Object({
  ...WorkerConfigProperties,
  ...SlackConfigProperties,
  OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9466 }),
  /** How often the retention sweep runs (ms); each run deletes everything due, in batches. */
  RETENTION_INTERVAL_MS: Type.Integer({ minimum: 1_000, default: HOUR_MS }),
  /** Rows deleted per batch (one short transaction each), so the sweep never holds locks for long. */
  RETENTION_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000 }),
  /**
   * Days after which processed-message records, published outbox events and finished Slack
   * effects are deleted. More than the 14 days any topic keeps a message (packages/contracts
   * topics.ts), so a redelivered message is still recognised as processed.
   */
  BOOKKEEPING_RETENTION_DAYS: Type.Integer({ minimum: 15, maximum: 3_650, default: 30 }),
});

export type AdminConfig = Static<typeof AdminConfigSchema>;

export const loadAdminConfig = (env: Record<string, string | undefined>): AdminConfig =>
  parseConfig(AdminConfigSchema, env);
