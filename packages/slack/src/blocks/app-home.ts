import { BLOCK_KIT_LIMITS, type Block, mrkdwnContext, mrkdwnSection } from '../block-kit';
import { oneLine, renderMrkdwn } from '../slack-text';

/** What the App Home shows of one person: their runner figures, last orders and settings. */
export interface AppHomeInput {
  stats: { channelId: string; runsServedCount: number; optInRepeat?: boolean }[];
  /** The last order typed in each channel, as typed. */
  preferences: { channelId: string; lastOrderText: string }[];
  /** Away until and including this date (`YYYY-MM-DD`), or null. */
  awayUntil?: string | null;
  /** The app's DM with the person (D…), when known: Home tab clicks are routed by it. */
  dmChannelId?: string | null;
  /** A one-line answer to what the person just did there (e.g. a date that has passed). */
  notice?: string | null;
}

/** The App Home's interactive elements (handled by admin-service). */
export const HOME_ACTIONS = {
  /** datepicker: away until the date picked. */
  awayUntil: 'home_away_until',
  /** button: back (no longer away). */
  awayClear: 'home_away_clear',
  /** checkboxes, one per channel (block_id `repeat:<channel>`): may be picked right after serving. */
  optInRepeat: 'home_opt_in_repeat',
} as const;

/** The value of the opt-in checkbox's one option. */
export const OPT_IN_REPEAT_OPTION = 'repeat';

const REPEAT_BLOCK_PREFIX = 'repeat:';
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

/** The channel a Home opt-in checkbox belongs to, from its block_id, or null. */
export function optInChannelOf(blockId: string | undefined): string | null {
  const channelId = blockId?.startsWith(REPEAT_BLOCK_PREFIX) ? blockId.slice(REPEAT_BLOCK_PREFIX.length) : '';
  return CHANNEL_ID.test(channelId) ? channelId : null;
}

/** What the Home view carries in `private_metadata`. */
export interface AppHomeMetadata {
  dmChannelId: string;
}

/** The Home view's metadata back from a click, or null when it is not ours. */
export function parseAppHomeMetadata(raw: unknown): AppHomeMetadata | null {
  if (typeof raw !== 'string' || raw.length > BLOCK_KIT_LIMITS.privateMetadata) return null;
  try {
    const value = JSON.parse(raw) as Partial<AppHomeMetadata> | null;
    return typeof value?.dmChannelId === 'string' && /^D[A-Z0-9]{2,}$/.test(value.dmChannelId)
      ? { dmChannelId: value.dmChannelId }
      : null;
  } catch {
    return null;
  }
}

const plain = (text: string) => ({ type: 'plain_text', text });

function settingsBlocks(input: AppHomeInput): Block[] {
  const away = input.awayUntil ?? null;
  const blocks: Block[] = [
    {
      ...mrkdwnSection(
        away
          ? `*Away until ${away}* — you won't be picked as runner until then. You can still order.`
          : '*Away?* Pick the last day you are away: you won’t be picked as runner until then, and you can still order.',
      ),
      accessory: {
        type: 'datepicker',
        action_id: HOME_ACTIONS.awayUntil,
        placeholder: plain('Away until'),
        ...(away ? { initial_date: away } : {}),
      },
    },
  ];
  if (away) {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', action_id: HOME_ACTIONS.awayClear, text: plain("I'm back"), value: 'back' },
      ],
    });
  }
  return blocks;
}

function channelBlock(
  channelId: string,
  served: number,
  last: string | undefined,
  optInRepeat: boolean,
): Block {
  const text = `<#${channelId}>: ${served} run${served === 1 ? '' : 's'} served${
    last ? ` · last order: ${renderMrkdwn(oneLine(last))}` : ''
  }`;
  const repeat = { text: plain('Pick me again right after I serve'), value: OPT_IN_REPEAT_OPTION };
  return {
    ...mrkdwnSection(text.slice(0, BLOCK_KIT_LIMITS.sectionText), `${REPEAT_BLOCK_PREFIX}${channelId}`),
    accessory: {
      type: 'checkboxes',
      action_id: HOME_ACTIONS.optInRepeat,
      options: [repeat],
      ...(optInRepeat ? { initial_options: [repeat] } : {}),
    },
  };
}

/**
 * The App Home view (`views.publish`, type `home`): the person's settings (away until a date),
 * then per channel, sorted by channel ID, the runs served, the last order (escaped once) and the
 * opt-in to be picked again right after serving. Pure. A Home tab is one view of at most 100
 * blocks; when the channels would not fit, the last block says how many are not shown.
 */
export function buildAppHome(input: AppHomeInput): Record<string, unknown> {
  const head: Block[] = [
    { type: 'header', text: plain('☕ CoffeeBuddy') },
    ...(input.notice ? [mrkdwnContext(`⚠️ ${input.notice}`)] : []),
    ...settingsBlocks(input),
    { type: 'divider' },
  ];
  const foot: Block[] = [mrkdwnContext('Start a run in any channel with `/coffee`.')];
  const channels = [
    ...new Set([...input.stats.map((s) => s.channelId), ...input.preferences.map((p) => p.channelId)]),
  ].sort();
  const body: Block[] = channels.map((channelId) => {
    const stat = input.stats.find((s) => s.channelId === channelId);
    const last = input.preferences.find((p) => p.channelId === channelId)?.lastOrderText;
    return channelBlock(channelId, stat?.runsServedCount ?? 0, last, stat?.optInRepeat ?? false);
  });
  if (body.length === 0) body.push(mrkdwnSection('You have not ordered or done a coffee run yet.'));
  const room = BLOCK_KIT_LIMITS.viewBlocks - head.length - foot.length;
  if (body.length > room) {
    const missing = body.length - (room - 1);
    body.splice(room - 1, body.length, mrkdwnContext(`…and ${missing} more channels.`));
  }
  return {
    type: 'home',
    ...(input.dmChannelId ? { private_metadata: JSON.stringify({ dmChannelId: input.dmChannelId }) } : {}),
    blocks: [...head, ...body, ...foot],
  };
}
