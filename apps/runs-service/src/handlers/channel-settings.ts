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
  cancelPendingEffects,
  type EffectDeliverer,
  RUN_EFFECTS,
  requestChannelNotice,
  requestRunMessageUpdate,
} from '@coffeebuddy/slack';
import { rescheduleChannelRuns } from './reminders';

/**
 * A channel turned off while a run is open: the run is cancelled (runs-service owns runs), its
 * message shows it cancelled, the channel is told who turned coffee runs off, and `run_cancelled`
 * goes out — in the caller's transaction. Returns the effects to deliver (none without an open run).
 */
async function cancelOpenRun(tx: Tx, message: MessageOf<'admin_config_changed'>): Promise<string[]> {
  const { channelId, actorId } = message.payload;
  const cancelled = await tx.run.updateManyAndReturn({
    where: { channelId, status: 'open' },
    data: { status: 'cancelled', closedAt: new Date(), closedById: actorId },
  });
  const run = cancelled[0];
  if (!run) return [];
  // A run message still waiting to be posted is not posted at all.
  await cancelPendingEffects(tx, run.id, [RUN_EFFECTS.runMessage]);
  await enqueueOutbox(
    tx,
    'runs-service',
    TOPICS.runEvents,
    createMessage(
      'run_cancelled',
      { correlationId: message.correlationId, teamId: run.teamId, channelId, userId: actorId },
      { runId: run.id, channelId, reason: 'channel_disabled', cancelledById: actorId },
    ),
  );
  const notify = { userId: actorId, channelId };
  return [
    await requestRunMessageUpdate(tx, run, { correlationId: message.correlationId, notify }),
    await requestChannelNotice(tx, {
      key: `run:${run.id}:cancelled:channel_disabled`,
      teamId: run.teamId,
      channelId,
      runId: run.id,
      text: `☕ <@${actorId}> turned coffee runs off in this channel, so the open coffee run is cancelled. A channel admin can turn them back on with \`/coffee admin\`.`,
      correlationId: message.correlationId,
    }),
  ];
}

/**
 * A channel's settings changed (`admin_config_changed`, from admin-service): when the channel was
 * turned off, its open run is cancelled with a message in the channel; the reminders of its runs
 * still to come are scheduled again with the new offset, last-call toggle and on/off switches.
 * One transaction with the processed-message record.
 */
export async function applyChannelSettings(
  deps: { db: Db; effects: Pick<EffectDeliverer, 'deliver'>; wakeOutbox: () => void },
  message: MessageOf<'admin_config_changed'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const { before, after, channelId } = message.payload;
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      const effectIds = before.enabled && !after.enabled ? await cancelOpenRun(tx, message) : [];
      const reminders = await rescheduleChannelRuns(tx, channelId);
      return { effectIds, ...reminders };
    },
  );
  if (processed.duplicate) return processed;
  deps.wakeOutbox();
  const { effectIds, runs, scheduled } = processed.result;
  if (effectIds.length > 0) {
    context.logger.info({ channelId }, 'channel turned off: its open run is cancelled');
    await deps.effects.deliver(effectIds);
  }
  context.logger.info({ runs, scheduled }, 'channel settings changed; reminders scheduled again');
  return processed;
}
