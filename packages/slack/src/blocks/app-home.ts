import { BLOCK_KIT_LIMITS, type Block, mrkdwnContext, sectionsWithin } from '../block-kit';
import { oneLine, renderMrkdwn } from '../slack-text';

/** What the App Home shows of one person: their runner figures and last orders, per channel. */
export interface AppHomeInput {
  stats: { channelId: string; runsServedCount: number }[];
  /** The last order typed in each channel, as typed. */
  preferences: { channelId: string; lastOrderText: string }[];
}

/**
 * The App Home view (`views.publish`, type `home`): per channel, sorted by channel ID, the runs
 * served and the last order, escaped once. Pure. A Home tab is one view of at most 100 blocks;
 * when the channels would not fit (thousands of them), the last block says how many are not
 * shown.
 */
export function buildAppHome(input: AppHomeInput): Record<string, unknown> {
  const head: Block[] = [{ type: 'header', text: { type: 'plain_text', text: '☕ CoffeeBuddy' } }];
  const foot: Block[] = [mrkdwnContext('Start a run in any channel with `/coffee`.')];
  const channels = [
    ...new Set([...input.stats.map((s) => s.channelId), ...input.preferences.map((p) => p.channelId)]),
  ].sort();
  const lines = channels.map((channelId) => {
    const served = input.stats.find((s) => s.channelId === channelId)?.runsServedCount ?? 0;
    const last = input.preferences.find((p) => p.channelId === channelId)?.lastOrderText;
    return `• <#${channelId}>: ${served} run${served === 1 ? '' : 's'} served${
      last ? ` · last order: ${renderMrkdwn(oneLine(last))}` : ''
    }`;
  });
  if (lines.length === 0) lines.push('You have not ordered or done a coffee run yet.');
  const room = BLOCK_KIT_LIMITS.viewBlocks - head.length - foot.length;
  let fitted = sectionsWithin(lines, room);
  const body = fitted.blocks;
  if (fitted.shown < lines.length) {
    fitted = sectionsWithin(lines, room - 1);
    const missing = lines.length - fitted.shown;
    body.splice(0, body.length, ...fitted.blocks, mrkdwnContext(`…and ${missing} more channels.`));
  }
  return { type: 'home', blocks: [...head, ...body, ...foot] };
}
