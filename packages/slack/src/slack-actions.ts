import { ErrorCode, type WebClient } from '@slack/web-api';
import type { SlackMessage } from './blocks/run-message';
import type { BotTokenResolver } from './installation-store';
import type { SlackClients } from './web-client';

/** Slack message metadata (https://api.slack.com/metadata/using): an event type and a payload. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, string | number | boolean>;
}

/** A message as conversations.history returns it (the fields the app reads). */
export interface HistoryMessage {
  ts: string;
  text?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export interface SlackActions {
  /** chat.postMessage; returns the message ts. `metadata` tags the post (e.g. with its effect ID). */
  postMessage(
    teamId: string,
    channel: string,
    message: SlackMessage,
    metadata?: MessageMetadata,
  ): Promise<string>;
  updateMessage(teamId: string, channel: string, ts: string, message: SlackMessage): Promise<void>;
  postEphemeral(teamId: string, channel: string, user: string, text: string): Promise<void>;
  /** conversations.open for one person: the ID of the app's DM with them (D…). */
  openDm(teamId: string, user: string): Promise<string>;
  /**
   * conversations.history with metadata, newest first: messages posted at or after `oldest`
   * (Slack ts, seconds), at most `limit` (Slack caps it at 999). Needs the `*:history` scopes.
   */
  history(
    teamId: string,
    channel: string,
    options: { oldest: string; limit: number },
  ): Promise<HistoryMessage[]>;
  openView(teamId: string, triggerId: string, view: Record<string, unknown>): Promise<void>;
  /** views.push: a view on top of the modal the trigger came from (a trigger lives 3 s, used once). */
  pushView(teamId: string, triggerId: string, view: Record<string, unknown>): Promise<void>;
  publishHome(teamId: string, userId: string, view: Record<string, unknown>): Promise<void>;
  /** A person's profile facts the app uses. */
  userInfo(
    teamId: string,
    userId: string,
  ): Promise<{ tz: string | null; isAdmin: boolean; isOwner: boolean }>;
  /** Answers the person through an interaction's response_url (works where the bot is not a member). */
  respond(responseUrl: string, text: string): Promise<void>;
}

/**
 * Slack's answers that say the token itself is no good (revoked, expired, its workspace or bot
 * deactivated): https://api.slack.com/methods (each method's errors). Slack acted on nothing.
 */
const TOKEN_REFUSED = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);

function tokenRefused(error: unknown): boolean {
  const e = error as { code?: string; data?: { error?: string } };
  return e?.code === ErrorCode.PlatformError && TOKEN_REFUSED.has(e.data?.error ?? '');
}

/**
 * The Slack calls the services make, per workspace, behind one small interface so handlers stay
 * thin and tests read well: each takes the team ID, finds its bot token (`tokens`, cached) and
 * makes the Web API call through `clients` (bounded retries and Retry-After handling). Throws
 * WebClient's errors (`data.error` holds Slack's code), SlackRateLimitedError, or
 * InstallationNotFoundError when the team has no token.
 */
export function slackActions(tokens: BotTokenResolver, clients: SlackClients): SlackActions {
  /**
   * Runs `call` with the team's bot token (cached by the resolver). When Slack refuses the token,
   * the cached entry is dropped (if it still holds that token) and the token asked for again; if
   * it is another one (a reinstall or rotation; another call may have read it already), the call
   * is made once more: Slack did nothing with the refused one. Otherwise, or when reading the
   * token again fails, Slack's refusal is what is thrown.
   */
  async function withClient<T>(teamId: string, call: (web: WebClient) => Promise<T>): Promise<T> {
    const token = await tokens.botTokenFor(teamId);
    try {
      return await call(clients.forToken(token));
    } catch (error) {
      if (!tokenRefused(error)) throw error;
      tokens.forget(teamId, token);
      const fresh = await tokens.botTokenFor(teamId).catch(() => token);
      if (fresh === token) throw error;
      return call(clients.forToken(fresh));
    }
  }
  return {
    async postMessage(teamId, channel, message, metadata) {
      const result = await withClient(teamId, (web) =>
        clients.call('chat.postMessage', () =>
          web.chat.postMessage({ channel, ...message, ...(metadata ? { metadata } : {}) }),
        ),
      );
      return String(result.ts);
    },
    async updateMessage(teamId, channel, ts, message) {
      await withClient(teamId, (web) =>
        clients.call('chat.update', () => web.chat.update({ channel, ts, ...message })),
      );
    },
    async postEphemeral(teamId, channel, user, text) {
      await withClient(teamId, (web) =>
        clients.call('chat.postEphemeral', () => web.chat.postEphemeral({ channel, user, text })),
      );
    },
    async openDm(teamId, user) {
      const opened = await withClient(teamId, (web) =>
        clients.call('conversations.open', () => web.conversations.open({ users: user })),
      );
      return String(opened.channel?.id);
    },
    async history(teamId, channel, options) {
      const result = await withClient(teamId, (web) =>
        clients.call('conversations.history', () =>
          web.conversations.history({
            channel,
            oldest: options.oldest,
            inclusive: true,
            limit: options.limit,
            include_all_metadata: true,
          }),
        ),
      );
      return (result.messages ?? []) as HistoryMessage[];
    },
    async openView(teamId, triggerId, view) {
      // No retries: a trigger_id lives 3 s and can be exchanged once (a refused token used none).
      await withClient(teamId, (web) => web.views.open({ trigger_id: triggerId, view: view as never }));
    },
    async pushView(teamId, triggerId, view) {
      await withClient(teamId, (web) => web.views.push({ trigger_id: triggerId, view: view as never }));
    },
    async publishHome(teamId, userId, view) {
      await withClient(teamId, (web) =>
        clients.call('views.publish', () => web.views.publish({ user_id: userId, view: view as never })),
      );
    },
    async userInfo(teamId, userId) {
      const info = await withClient(teamId, (web) =>
        clients.call('users.info', () => web.users.info({ user: userId })),
      );
      return {
        tz: info.user?.tz ?? null,
        isAdmin: info.user?.is_admin === true,
        isOwner: info.user?.is_owner === true,
      };
    },
    async respond(responseUrl, text) {
      const response = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', text }),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) {
        // Slack answers 404 once a response_url expired (30 min, 5 uses): that will not change.
        throw Object.assign(new Error(`response_url answered HTTP ${response.status}`), {
          code: `response_url_http_${response.status}`,
          transient: response.status >= 500 || response.status === 429,
        });
      }
    },
  };
}
