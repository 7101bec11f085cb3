import {
  createMessage,
  type DeliveryContext,
  type HandlerOutcome,
  type MessageOf,
  TOPICS,
} from '@coffeebuddy/contracts';
import { type Db, processMessageOnce, type Tx } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import {
  buildResetModal,
  confirmsChannel,
  describeResetCounts,
  parseAdminViewMetadata,
  type ResetCounts,
  requestMessageReplace,
  requestTell,
} from '@coffeebuddy/slack';
import { refusalText } from '../domain/authority';
import { type AdminDeps, answer, checkAuthority, isDeadTrigger, slackErrorCode } from './common';
import { lockChannel } from './settings';

/** What a reset of the channel would remove now. */
async function countHistory(db: Db | Tx, channelId: string): Promise<ResetCounts> {
  const [runs, orders, userPreferences, runnerStats] = await Promise.all([
    db.run.count({ where: { channelId } }),
    db.order.count({ where: { run: { channelId } } }),
    db.userPreference.count({ where: { channelId } }),
    db.runnerStat.count({ where: { channelId } }),
  ]);
  return { runs, orders, userPreferences, runnerStats };
}

/**
 * *Reset history…* in the settings modal: the role gate again, then the confirmation pushed on
 * top of the modal (views.push with the click's trigger), saying what a reset would remove.
 */
export async function askResetConfirmation(
  deps: AdminDeps,
  message: MessageOf<'block_action'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const metadata = parseAdminViewMetadata(message.payload.value);
  const userId = message.userId ?? '';
  if (!metadata || metadata.channelId !== message.channelId) {
    context.logger.warn('reset click without our metadata; ignored');
    return { duplicate: false };
  }
  const channel = await deps.db.channel.findUnique({ where: { id: metadata.channelId } });
  const channelAdmins = channel?.adminUserIds ?? [];
  const authority = await checkAuthority(deps, { teamId: message.teamId, userId, channelAdmins }, context);
  if (!authority.allowed) {
    await answer(deps, metadata.responseUrl, refusalText(metadata.channelId, channelAdmins), context);
    return { duplicate: false };
  }
  const counts = await countHistory(deps.db, metadata.channelId);
  try {
    await deps.slack.pushView(
      message.teamId,
      message.payload.triggerId,
      buildResetModal({ ...metadata, counts }),
    );
    context.logger.info({ channelId: metadata.channelId, counts }, 'reset confirmation shown');
  } catch (error) {
    if (!isDeadTrigger(slackErrorCode(error))) throw error;
    context.logger.warn(
      { code: slackErrorCode(error) },
      'the trigger expired before the reset confirmation could open',
    );
    await answer(
      deps,
      metadata.responseUrl,
      'Sorry, that took too long — click *Reset history…* again.',
      context,
    );
  }
  return { duplicate: false };
}

/**
 * Deletes the channel's history in the caller's transaction — orders, runs (their Slack effects
 * go with them), saved orders and runner figures — and returns the counts. An open run's message
 * is replaced, so nobody clicks buttons of a run that is gone; the settings and the audit log stay.
 */
async function wipeHistory(
  tx: Tx,
  input: { teamId: string; channelId: string; actorId: string; correlationId: string },
): Promise<{ removed: ResetCounts; effectIds: string[] }> {
  const { channelId } = input;
  const effectIds: string[] = [];
  const open = await tx.run.findFirst({ where: { channelId, status: 'open', messageTs: { not: null } } });
  if (open?.messageTs) {
    effectIds.push(
      await requestMessageReplace(tx, {
        key: `run:${open.id}:reset`,
        teamId: input.teamId,
        channelId,
        ts: open.messageTs,
        text: `☕ This coffee run was removed: <@${input.actorId}> reset this channel's CoffeeBuddy history.`,
        correlationId: input.correlationId,
      }),
    );
  }
  const orders = await tx.$executeRaw`
    DELETE FROM orders o USING runs r WHERE o.run_id = r.id AND r.channel_id = ${channelId}`;
  const runs = await tx.run.deleteMany({ where: { channelId } });
  const userPreferences = await tx.userPreference.deleteMany({ where: { channelId } });
  const runnerStats = await tx.runnerStat.deleteMany({ where: { channelId } });
  return {
    removed: {
      runs: runs.count,
      orders,
      userPreferences: userPreferences.count,
      runnerStats: runnerStats.count,
    },
    effectIds,
  };
}

/**
 * The reset was confirmed (the gateway checked the typed channel name; checked again here with
 * the submitter's authority). One transaction with the processed-message record: the history
 * deleted, a `channel_admin_actions` row with the counts removed, `channel_reset` through the
 * outbox, and the admin's confirmation with those counts. Nothing of another channel is touched.
 */
export async function resetChannel(
  deps: AdminDeps,
  message: MessageOf<'view_submission'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const metadata = parseAdminViewMetadata(message.payload.privateMetadata);
  const typed = Object.values(message.payload.values)[0] ?? '';
  const userId = message.userId ?? '';
  if (!metadata || metadata.channelId !== message.channelId) {
    context.logger.warn('reset submission without our metadata; ignored');
    return { duplicate: false };
  }
  const { teamId, channelId } = message;
  const current = await deps.db.channel.findUnique({ where: { id: channelId } });
  const channelAdmins = current?.adminUserIds ?? [];
  const authority = await checkAuthority(deps, { teamId, userId, channelAdmins }, context);
  if (!authority.allowed || !confirmsChannel(typed, metadata)) {
    context.logger.warn({ allowed: authority.allowed }, 'reset refused');
    const text = authority.allowed
      ? 'The channel name did not match, so nothing was reset.'
      : refusalText(channelId, channelAdmins);
    await answer(deps, metadata.responseUrl, text, context);
    return { duplicate: false };
  }
  const notify = {
    userId,
    channelId,
    ...(metadata.responseUrl ? { responseUrl: metadata.responseUrl } : {}),
  };
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      await lockChannel(tx, teamId, channelId, metadata.channelName);
      const { removed, effectIds } = await wipeHistory(tx, {
        teamId,
        channelId,
        actorId: userId,
        correlationId: message.correlationId,
      });
      await tx.channelAdminAction.create({
        data: {
          channelId,
          actorId: userId,
          action: 'channel_reset',
          summary: { ...removed },
          correlationId: message.correlationId,
        },
      });
      await enqueueOutbox(
        tx,
        'admin-service',
        TOPICS.adminEvents,
        createMessage(
          'channel_reset',
          { correlationId: message.correlationId, teamId, channelId, userId },
          { channelId, actorId: userId, removed },
        ),
      );
      effectIds.push(
        await requestTell(tx, {
          key: `admin:${message.messageId}:reset`,
          teamId,
          notify,
          text: `Reset <#${channelId}>: removed ${describeResetCounts(removed)}. The settings and the audit log are kept.`,
          correlationId: message.correlationId,
        }),
      );
      return { removed, effectIds };
    },
  );
  if (processed.duplicate) return processed;
  deps.wakeOutbox();
  context.logger.info({ channelId, removed: processed.result.removed }, 'channel history reset');
  await deps.effects.deliver(processed.result.effectIds);
  return processed;
}
