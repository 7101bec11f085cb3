import type { DeliveryContext, HandlerOutcome, MessageOf } from '@coffeebuddy/contracts';
import { type Db, processMessageOnce } from '@coffeebuddy/db';
import type { SlackPort } from '../slack-port';

/** The App Home: the person's runs served per channel. Published once per Slack event. */
export async function showAppHome(
  deps: { db: Db; slack: SlackPort },
  message: MessageOf<'app_home_opened'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const userId = message.userId ?? '';
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => tx.runnerStat.findMany({ where: { userId }, orderBy: { channelId: 'asc' } }),
  );
  if (processed.duplicate || message.payload.tab !== 'home') return processed;
  const stats = processed.result;
  const lines = stats.length
    ? stats.map(
        (s) => `• <#${s.channelId}>: ${s.runsServedCount} run${s.runsServedCount === 1 ? '' : 's'} served`,
      )
    : ['You have not done a coffee run yet.'];
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
