import { Type } from '@sinclair/typebox';

/** Slack settings every service that calls the Web API shares. */
export const SlackConfigProperties = {
  /** Slack Web API base URL (the emulator's `/api/` locally). */
  SLACK_API_URL: Type.String({ default: 'https://slack.com/api/' }),
  /** AES-256-GCM key stored installations are encrypted with (32 bytes, base64). */
  TOKEN_ENCRYPTION_KEY: Type.String({ minLength: 1 }),
  /** Bot token for workspaces without a stored installation (single-workspace/dev setups). */
  SLACK_BOT_TOKEN: Type.String({ default: '' }),
  /** How often the Slack effects deliverer looks for due effects (handlers also deliver their own at once). */
  EFFECTS_INTERVAL_MS: Type.Integer({ minimum: 10, default: 500 }),
  /**
   * How long a deliverer's claim on an effect holds. Longer than one Slack attempt can take (5 s
   * timeout, short Retry-After waits); an effect whose holder died waits this long to be taken over.
   */
  EFFECT_LEASE_MS: Type.Integer({ minimum: 1_000, default: 30_000 }),
};
