import { escapeMrkdwn } from './run-message';

/** What the App Home shows of one person: their runner figures and last orders, per channel. */
export interface AppHomeInput {
  stats: { channelId: string; runsServedCount: number }[];
  preferences: { channelId: string; lastOrderText: string }[];
}

/** The App Home view (views.publish): per channel, runs served and the last order. */
export function buildAppHome(input: AppHomeInput): Record<string, unknown> {
  const channels = [
    ...new Set([...input.stats.map((s) => s.channelId), ...input.preferences.map((p) => p.channelId)]),
  ].sort();
  const lines = channels.length
    ? channels.map((channelId) => {
        const served = input.stats.find((s) => s.channelId === channelId)?.runsServedCount ?? 0;
        const last = input.preferences.find((p) => p.channelId === channelId)?.lastOrderText;
        return `• <#${channelId}>: ${served} run${served === 1 ? '' : 's'} served${last ? ` · last order: ${escapeMrkdwn(last)}` : ''}`;
      })
    : ['You have not ordered or done a coffee run yet.'];
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '☕ CoffeeBuddy' } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Start a run in any channel with `/coffee`.' }] },
    ],
  };
}
