import { type DeliveryContext, type HandlerOutcome, localDate, type MessageOf } from '@coffeebuddy/contracts';
import { processMessageOnce, type Tx } from '@coffeebuddy/db';
import { HOME_ACTIONS, OPT_IN_REPEAT_OPTION, optInChannelOf, requestAppHome } from '@coffeebuddy/slack';
import { decideAwayUntil } from '../domain/away';
import type { AdminDeps } from './common';

type Change = { notice?: string; changed: string };
type ChangeInput = { message: MessageOf<'block_action'>; now: Date; zone: string | null };

async function ensureUser(tx: Tx, userId: string, teamId: string) {
  return tx.user.upsert({ where: { id: userId }, create: { id: userId, teamId }, update: {} });
}

/**
 * Away until the date picked, a date on the person's own calendar: their Slack timezone (read
 * now, and kept on their row so fairness reads the date the same way), else the one stored, else UTC.
 */
async function setAway(tx: Tx, { message, now, zone }: ChangeInput): Promise<Change> {
  const userId = message.userId ?? '';
  const user = await ensureUser(tx, userId, message.teamId);
  const tz = zone ?? user.tz;
  const decision = decideAwayUntil(message.payload.selectedDate, localDate(now, tz));
  if (!decision.ok) return { notice: decision.notice, changed: 'nothing' };
  await tx.user.update({
    where: { id: userId },
    data: {
      awayUntil: decision.awayUntil ? new Date(`${decision.awayUntil}T00:00:00Z`) : null,
      ...(zone ? { tz: zone } : {}),
    },
  });
  return { changed: `away until ${decision.awayUntil}` };
}

async function clearAway(tx: Tx, { message }: ChangeInput): Promise<Change> {
  await ensureUser(tx, message.userId ?? '', message.teamId);
  await tx.user.update({ where: { id: message.userId ?? '' }, data: { awayUntil: null } });
  return { changed: 'back' };
}

/** The per-channel opt-in to be picked again right after serving (fairness honours it). */
async function setOptInRepeat(tx: Tx, { message }: ChangeInput): Promise<Change> {
  const userId = message.userId ?? '';
  const channelId = optInChannelOf(message.payload.blockId);
  const optIn = (message.payload.selectedOptions ?? []).includes(OPT_IN_REPEAT_OPTION);
  const channel = channelId
    ? await tx.channel.findUnique({ where: { id: channelId }, select: { id: true } })
    : null;
  if (!channelId || !channel)
    return { notice: 'That channel has no coffee runs any more.', changed: 'nothing' };
  await ensureUser(tx, userId, message.teamId);
  await tx.runnerStat.upsert({
    where: { channelId_userId: { channelId, userId } },
    create: { channelId, userId, optInRepeat: optIn },
    update: { optInRepeat: optIn },
  });
  return { changed: `opt-in to repeats in ${channelId}: ${optIn}` };
}

const CHANGES: Record<string, (tx: Tx, input: ChangeInput) => Promise<Change>> = {
  [HOME_ACTIONS.awayUntil]: setAway,
  [HOME_ACTIONS.awayClear]: clearAway,
  [HOME_ACTIONS.optInRepeat]: setOptInRepeat,
};

/** The person's Slack timezone (users.info), or null when Slack has none or cannot say now. */
async function zoneOf(deps: AdminDeps, message: MessageOf<'block_action'>, context: DeliveryContext) {
  try {
    return (await deps.slack.userInfo(message.teamId, message.userId ?? '')).tz;
  } catch (error) {
    context.logger.warn(
      { err: (error as Error).message },
      'no timezone from users.info; using the one stored',
    );
    return null;
  }
}

/** Whether admin-service handles this click (a personal setting in the App Home). */
export const isPersonalSetting = (actionId: string) => Object.hasOwn(CHANGES, actionId);

/**
 * A personal setting changed in the App Home (away until a date, back, the opt-in to repeats).
 * One transaction with the processed-message record: the person's row (or their runner figures
 * for the channel) and the App Home published again to show it — with a one-line notice when the
 * choice could not be taken (a date that has passed).
 */
export async function changePersonalSetting(
  deps: AdminDeps,
  message: MessageOf<'block_action'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const change = CHANGES[message.payload.actionId];
  if (!change) return { duplicate: false };
  const now = deps.now?.() ?? new Date();
  // A date means a day on the person's calendar: their zone, asked before the transaction.
  const zone =
    message.payload.actionId === HOME_ACTIONS.awayUntil ? await zoneOf(deps, message, context) : null;
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      const outcome = await change(tx, { message, now, zone });
      const home = await requestAppHome(tx, message.teamId, message.userId ?? '', message.correlationId, {
        dmChannelId: message.channelId,
        ...(outcome.notice ? { notice: outcome.notice } : {}),
      });
      return { ...outcome, home };
    },
  );
  if (processed.duplicate) return processed;
  context.logger.info(
    { changed: processed.result.changed, notice: processed.result.notice },
    'personal setting',
  );
  await deps.effects.deliver([processed.result.home]);
  return processed;
}
