import type { DeliveryContext, HandlerOutcome, MessageOf } from '@coffeebuddy/contracts';
import { type Db, processMessageOnce } from '@coffeebuddy/db';
import { escapeMrkdwn, type SlackActions } from '@coffeebuddy/slack';

/** The App Home: per channel, the person's last order and runs served. Published once per Slack event. */
export async function showAppHome(
  deps: { db: Db; slack: SlackActions },
  message: MessageOf<'app_home_opened'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const userId = message.userId ?? '';
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => ({
      stats: await tx.runnerStat.findMany({ where: { userId } }),
      preferences: await tx.userPreference.findMany({ where: { userId } }),
    }),
  );
  if (processed.duplicate || message.payload.tab !== 'home') return processed;
  const { stats, preferences } = processed.result;
  const channels = [
    ...new Set([...stats.map((s) => s.channelId), ...preferences.map((p) => p.channelId)]),
  ].sort();
  const lines = channels.length
    ? channels.map((channelId) => {
        const served = stats.find((s) => s.channelId === channelId)?.runsServedCount ?? 0;
        const last = preferences.find((p) => p.channelId === channelId)?.lastOrderText;
        return `• <#${channelId}>: ${served} run${served === 1 ? '' : 's'} served${last ? ` · last order: ${escapeMrkdwn(last)}` : ''}`;
      })
    : ['You have not ordered or done a coffee run yet.'];
  await deps.slack.publishHome(message.teamId, userId, {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '☕ CoffeeBuddy' } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Start a run in any channel with `/coffee`.' }] },
    ],
  });
  context.logger.info('app home published');
  return processed;
}
