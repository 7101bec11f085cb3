import { parseConfig } from '@coffeebuddy/service-kit';
import { type Static, Type } from '@sinclair/typebox';

/** Settings of runs-service, validated once at start-up. */
export const RunsConfigSchema = Type.Object({
  /** Slack Web API base URL (the emulator's `/api/` locally). */
  SLACK_API_URL: Type.String({ default: 'https://slack.com/api/' }),
  /** AES-256-GCM key the gateway encrypted stored installations with (32 bytes, base64). */
  TOKEN_ENCRYPTION_KEY: Type.String({ minLength: 1 }),
  /** Bot token for workspaces without a stored installation (single-workspace/dev setups). */
  SLACK_BOT_TOKEN: Type.String({ default: '' }),
  /** Where /healthz, /readyz and /metrics listen. */
  OPS_HOST: Type.String({ default: '0.0.0.0' }),
  OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9464 }),
  /** How often the outbox relay looks for unpublished events (it is also woken after each commit). */
  OUTBOX_INTERVAL_MS: Type.Integer({ minimum: 10, default: 250 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 20_000 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  /** A /coffee older than this many seconds when it reaches runs-service is answered as expired. */
  COMMAND_MAX_AGE_SECONDS: Type.Integer({ minimum: 10, default: 600 }),
  /** Consumer group (default coffeebuddy.runs-service); only tests and side-by-side stacks change it. */
  CONSUMER_GROUP: Type.Optional(Type.String({ minLength: 1 })),
});

export type RunsConfig = Static<typeof RunsConfigSchema>;

export const loadRunsConfig = (env: Record<string, string | undefined>): RunsConfig =>
  parseConfig(RunsConfigSchema, env);
