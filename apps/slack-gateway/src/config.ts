import { ConfigError, parseConfig } from '@coffeebuddy/service-kit';
import { type Static, Type } from '@sinclair/typebox';

/** Every setting of the gateway, validated once at start-up (`loadGatewayConfig(process.env)`). */
export const GatewayConfigSchema = Type.Object({
  /** Slack app signing secret; requests are verified with it. Required and non-empty. */
  SLACK_SIGNING_SECRET: Type.String({ minLength: 1 }),
  /** Slack Web API base URL (the emulator's `/api/` locally). */
  SLACK_API_URL: Type.String({ default: 'https://slack.com/api/' }),
  /** OAuth app credentials and the secret that signs the install `state`. */
  SLACK_CLIENT_ID: Type.String({ default: '' }),
  SLACK_CLIENT_SECRET: Type.String({ default: '' }),
  SLACK_STATE_SECRET: Type.String({ default: '' }),
  /** Where Slack's authorize page lives (the emulator's locally). */
  SLACK_AUTHORIZE_URL: Type.String({ default: 'https://slack.com/oauth/v2/authorize' }),
  /** Bot scopes requested on install (least privilege; matches manifest.yaml). */
  SLACK_SCOPES: Type.String({
    default: 'commands,chat:write,users:read,im:write,channels:history,groups:history,im:history',
  }),
  /** The gateway's public base URL, for the OAuth redirect URI. */
  PUBLIC_URL: Type.String({ default: 'http://127.0.0.1:3000' }),
  /** AES-256-GCM key for tokens at rest: 32 bytes, base64. */
  TOKEN_ENCRYPTION_KEY: Type.String({ minLength: 1 }),
  /** A bot token used when a workspace has no stored installation (single-workspace/dev setups). */
  SLACK_BOT_TOKEN: Type.String({ default: '' }),
  HOST: Type.String({ default: '0.0.0.0' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  /** Largest request body accepted, bytes (Slack payloads are far smaller). */
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 64 * 1024 }),
  /**
   * Total time a Slack request may take before it is answered, ms. Slack gives 3 s; every step
   * (users.info, the database lookups, the Kafka publish) draws from this one budget.
   */
  ACK_BUDGET_MS: Type.Integer({ minimum: 500, maximum: 2000, default: 2000 }),
  /** Longest wait for users.info (a person's timezone, only for clock times), ms. */
  USERS_INFO_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 2000, default: 500 }),
  /** Longest wait for a database lookup (channel enabled, run still open), ms. */
  LOOKUP_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 2000, default: 250 }),
  /**
   * How often the in-memory copy of the channels turned off and the channels' timezones is read
   * again, ms: a change made with `/coffee admin` reaches the gateway's answers within this (plus
   * one query). See `channelSnapshot`.
   */
  CHANNEL_REFRESH_MS: Type.Integer({ minimum: 50, maximum: 10_000, default: 250 }),
  /** How long the gateway waits for Kafka to take a command before telling the user it failed. */
  PUBLISH_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 2000, default: 1250 }),
  /** Warn lines about refused requests (bad signatures, malformed bodies) per minute; the rest are counted. */
  REFUSAL_LOG_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 10_000, default: 60 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
});

export type GatewayConfig = Static<typeof GatewayConfigSchema>;

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const config = parseConfig(GatewayConfigSchema, env);
  const oauth = [config.SLACK_CLIENT_ID, config.SLACK_CLIENT_SECRET, config.SLACK_STATE_SECRET];
  if (oauth.some(Boolean) && !oauth.every(Boolean)) {
    throw new ConfigError(
      'invalid configuration: SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET go together',
    );
  }
  // One request may wait for users.info, then a lookup, then the publish: together they must fit
  // the ack budget, or some configuration could answer Slack late.
  const steps = config.USERS_INFO_TIMEOUT_MS + config.LOOKUP_TIMEOUT_MS + config.PUBLISH_TIMEOUT_MS;
  if (steps > config.ACK_BUDGET_MS) {
    throw new ConfigError(
      `invalid configuration: USERS_INFO_TIMEOUT_MS (${config.USERS_INFO_TIMEOUT_MS}) + LOOKUP_TIMEOUT_MS (${config.LOOKUP_TIMEOUT_MS}) + PUBLISH_TIMEOUT_MS (${config.PUBLISH_TIMEOUT_MS}) = ${steps} ms, more than ACK_BUDGET_MS (${config.ACK_BUDGET_MS}); Slack must be answered within 3 s, so lower one of them`,
    );
  }
  return config;
}
