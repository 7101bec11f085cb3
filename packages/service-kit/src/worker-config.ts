import { Type } from '@sinclair/typebox';

/** Settings every worker app shares; apps spread these into their own config schema. */
export const WorkerConfigProperties = {
  /** Where /healthz, /readyz and /metrics listen. */
  OPS_HOST: Type.String({ default: '0.0.0.0' }),
  OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9464 }),
  /** How often the outbox relay looks for unpublished events (it is also woken after each commit). */
  OUTBOX_INTERVAL_MS: Type.Integer({ minimum: 10, default: 250 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 20_000 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  /** Partitions a consumer handles in parallel; messages of one channel (one partition) stay in order. */
  PARTITIONS_CONCURRENTLY: Type.Integer({ minimum: 1, maximum: 64, default: 3 }),
  /**
   * Longest one message handler attempt may take before it is retried (ms): at most half the
   * consumer session timeout (30 s), so a slow attempt never costs the partition.
   */
  HANDLER_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 15_000, default: 10_000 }),
  /**
   * How long the consumer group waits for a silent member (a crashed process) before giving its
   * partitions to the others (ms). Shorter means a quicker take-over after a crash, and needs a
   * shorter HANDLER_TIMEOUT_MS (at most half); the broker allows 6 s to 5 min by default.
   */
  KAFKA_SESSION_TIMEOUT_MS: Type.Integer({ minimum: 6_000, maximum: 300_000, default: 30_000 }),
  /** Consumer group (default coffeebuddy.<service>); only tests and side-by-side stacks change it. */
  CONSUMER_GROUP: Type.Optional(Type.String({ minLength: 1 })),
};
