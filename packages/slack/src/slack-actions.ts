import type { SlackMessage } from './blocks/run-message';
import type { BotTokenResolver } from './installation-store';
import type { SlackClients } from './web-client';

/**
 * The Slack calls the services make, per workspace, behind one small interface so handlers stay
 * thin and tests read well. Bounded retries and Retry-After handling come from SlackClients.
 */
export interface SlackActions {
  postMessage(teamId: string, channel: string, message: SlackMessage): Promise<string>;
  updateMessage(teamId: string, channel: string, ts: string, message: SlackMessage): Promise<void>;
  postEphemeral(teamId: string, channel: string, user: string, text: string): Promise<void>;
  /** Opens (or finds) the DM with a person and posts there; returns the DM channel and ts. */
  sendDm(teamId: string, user: string, message: SlackMessage): Promise<{ channel: string; ts: string }>;
  openView(teamId: string, triggerId: string, view: Record<string, unknown>): Promise<void>;
  publishHome(teamId: string, userId: string, view: Record<string, unknown>): Promise<void>;
  /** A person's profile facts the app uses. */
  userInfo(
    teamId: string,
    userId: string,
  ): Promise<{ tz: string | null; isAdmin: boolean; isOwner: boolean }>;
  /** Answers the person through an interaction's response_url (works where the bot is not a member). */
  respond(responseUrl: string, text: string): Promise<void>;
}

export function slackActions(tokens: BotTokenResolver, clients: SlackClients): SlackActions {
  const client = async (teamId: string) => clients.forToken(await tokens.botTokenFor(teamId));
  return {
    async postMessage(teamId, channel, message) {
      const web = await client(teamId);
      const result = await clients.call('chat.postMessage', () =>
        web.chat.postMessage({ channel, ...message }),
      );
      return String(result.ts);
    },
    async updateMessage(teamId, channel, ts, message) {
      const web = await client(teamId);
      await clients.call('chat.update', () => web.chat.update({ channel, ts, ...message }));
    },
    async postEphemeral(teamId, channel, user, text) {
      const web = await client(teamId);
      await clients.call('chat.postEphemeral', () => web.chat.postEphemeral({ channel, user, text }));
    },
    async sendDm(teamId, user, message) {
      const web = await client(teamId);
      const opened = await clients.call('conversations.open', () => web.conversations.open({ users: user }));
      const channel = String(opened.channel?.id);
      const posted = await clients.call('chat.postMessage', () =>
        web.chat.postMessage({ channel, ...message }),
      );
      return { channel, ts: String(posted.ts) };
    },
    async openView(teamId, triggerId, view) {
      const web = await client(teamId);
      // No retries: a trigger_id lives 3 s and can be exchanged once.
      await web.views.open({ trigger_id: triggerId, view: view as never });
    },
    async publishHome(teamId, userId, view) {
      const web = await client(teamId);
      await clients.call('views.publish', () => web.views.publish({ user_id: userId, view: view as never }));
    },
    async userInfo(teamId, userId) {
      const web = await client(teamId);
      const info = await clients.call('users.info', () => web.users.info({ user: userId }));
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
      if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
    },
  };
}
