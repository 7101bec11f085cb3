import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './emulator';
import { DEFAULT_BOT_TOKEN } from './workspace';

/** How the emulator process is configured, read once from the environment at start-up. */
export interface EmulatorConfig {
  /** SLACK_EMULATOR_HOST: where to listen (default 127.0.0.1 — it is a dev tool, not a public service). */
  host: string;
  /** SLACK_EMULATOR_PORT: default 3999. */
  port: number;
  /** SLACK_EMULATOR_BOT_TOKEN: the bot token installed in T0001 (default a fixed dev token). */
  botToken: string;
  /** SLACK_CLIENT_ID / SLACK_CLIENT_SECRET: the OAuth credentials the app will present. */
  clientId: string;
  clientSecret: string;
  /** SLACK_REDIRECT_URI: the app's OAuth redirect URL, used when authorize is given none. */
  redirectUri?: string;
  /** LOG_LEVEL: pino level (default info). */
  logLevel: string;
  /**
   * SLACK_EMULATOR_APP_URL + SLACK_SIGNING_SECRET: where the workspace page sends the app
   * Slack's requests (`<url>/slack/commands`, `/slack/interactions`, `/slack/events`) and the
   * secret they are signed with. Both or neither; without them the page only shows state.
   */
  app?: { url: string; signingSecret: string };
}

export class EmulatorConfigError extends Error {
  readonly code = 'EMULATOR_CONFIG_INVALID';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Validates the environment; every problem is reported at once, naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): EmulatorConfig {
  const problems: string[] = [];
  const value = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const portText = value('SLACK_EMULATOR_PORT') ?? '3999';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    problems.push(`SLACK_EMULATOR_PORT must be a port number (0-65535), got "${portText}"`);
  }
  const botToken = value('SLACK_EMULATOR_BOT_TOKEN') ?? DEFAULT_BOT_TOKEN;
  if (!botToken.startsWith('xoxb-')) problems.push('SLACK_EMULATOR_BOT_TOKEN must be a bot token (xoxb-…)');
  const redirectUri = value('SLACK_REDIRECT_URI');
  if (redirectUri && !/^https?:\/\//.test(redirectUri))
    problems.push('SLACK_REDIRECT_URI must be an http(s) URL');
  const appUrl = value('SLACK_EMULATOR_APP_URL');
  const signingSecret = value('SLACK_SIGNING_SECRET');
  if (appUrl && !/^https?:\/\/[^/\s]+/.test(appUrl))
    problems.push('SLACK_EMULATOR_APP_URL must be an http(s) URL');
  if ((appUrl === undefined) !== (signingSecret === undefined)) {
    problems.push('SLACK_EMULATOR_APP_URL and SLACK_SIGNING_SECRET go together: set both or neither');
  }
  const logLevel = value('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  if (problems.length > 0) throw new EmulatorConfigError(`invalid configuration: ${problems.join('; ')}`);
  return {
    host: value('SLACK_EMULATOR_HOST') ?? '127.0.0.1',
    port,
    botToken,
    clientId: value('SLACK_CLIENT_ID') ?? DEFAULT_CLIENT_ID,
    clientSecret: value('SLACK_CLIENT_SECRET') ?? DEFAULT_CLIENT_SECRET,
    ...(redirectUri ? { redirectUri } : {}),
    logLevel,
    ...(appUrl && signingSecret ? { app: { url: appUrl.replace(/\/+$/, ''), signingSecret } } : {}),
  };
}
