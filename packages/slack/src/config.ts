import { Type } from '@sinclair/typebox';

/** Slack settings every service that calls the Web API shares. */
export const SlackConfigProperties = {
  /** Slack Web API base URL (the emulator's `/api/` locally). */
  SLACK_API_URL: Type.String({ default: 'https://slack.com/api/' }),
  /** AES-256-GCM key stored installations are encrypted with (32 bytes, base64). */
  TOKEN_ENCRYPTION_KEY: Type.String({ minLength: 1 }),
  /** Bot token for workspaces without a stored installation (single-workspace/dev setups). */
  SLACK_BOT_TOKEN: Type.String({ default: '' }),
};
