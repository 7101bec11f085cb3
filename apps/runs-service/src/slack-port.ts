import type { BotTokenResolver, SlackClients, SlackMessage } from '@coffeebuddy/slack';

/**
 * The Slack calls runs-service makes, behind one small interface so handlers stay thin: bounded
 * retries and Retry-After handling come from SlackClients.
 */
export interface SlackPort {
  postMessage(teamId: string, channel: string, message: SlackMessage): Promise<string>;
  updateMessage(teamId: string, channel: string, ts: string, message: SlackMessage): Promise<void>;
  publishHome(teamId: string, userId: string, view: Record<string, unknown>): Promise<void>;
  /** Answers the person through the interaction's response_url (works even where the bot is not a member). */
  respond(responseUrl: string, text: string): Promise<void>;
}

export function slackPort(tokens: BotTokenResolver, clients: SlackClients): SlackPort {
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
    async publishHome(teamId, userId, view) {
      const web = await client(teamId);
      await clients.call('views.publish', () => web.views.publish({ user_id: userId, view: view as never }));
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
