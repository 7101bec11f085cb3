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
  /** How long the gateway waits for Kafka to take a command before telling the user it failed. */
  PUBLISH_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 2500, default: 1500 }),
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
  return config;
}
