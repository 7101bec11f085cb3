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
  activeOrders,
  cancelPendingEffects,
  type EffectDeliverer,
  RUN_EFFECTS,
  requestChannelNotice,
  requestRunMessageUpdate,
} from '@coffeebuddy/slack';
import { rescheduleChannelRuns } from './reminders';

/**
 * A channel turned off while a run is open: the run is cancelled (runs-service owns runs), its
 * message shows it cancelled with the orders it had, and `run_cancelled` goes out — in the
 * caller's transaction. Returns the cancelled run's ID and the effects to deliver (null without
 * an open run).
 */
async function cancelOpenRun(
  tx: Tx,
  message: MessageOf<'admin_config_changed'>,
): Promise<{ runId: string; effectIds: string[] } | null> {
  const { channelId, actorId } = message.payload;
  const [open] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM runs WHERE channel_id = ${channelId} AND status = 'open' FOR UPDATE`;
  if (!open) return null;
  // The cancelled message still lists the orders people had placed (a run not open shows its snapshot).
  const orders = await activeOrders(tx, open.id);
  const run = await tx.run.update({
    where: { id: open.id },
    data: {
      status: 'cancelled',
      closedAt: new Date(),
      closedById: actorId,
      orderSnapshot: orders.map((o) => ({ userId: o.userId, text: o.text, provenance: o.provenance })),
    },
  });
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
  return {
    runId: run.id,
    effectIds: [await requestRunMessageUpdate(tx, run, { correlationId: message.correlationId, notify })],
  };
}

/**
 * Everyone in the channel hears that coffee runs were turned off (and the open run, if any,
 * cancelled) or back on, and by whom — in the caller's transaction. One notice per change.
 */
function announce(tx: Tx, message: MessageOf<'admin_config_changed'>, cancelledRunId: string | null) {
  const { channelId, actorId, after } = message.payload;
  const text = after.enabled
    ? `☕ <@${actorId}> turned coffee runs back on in this channel — start one with \`/coffee\`.`
    : `☕ <@${actorId}> turned coffee runs off in this channel${
        cancelledRunId ? ', so the open coffee run is cancelled' : ''
      }. A channel admin can turn them back on with \`/coffee admin\`.`;
  return requestChannelNotice(tx, {
    key: `channel:${channelId}:${after.enabled ? 'enabled' : 'disabled'}:${message.messageId}`,
    teamId: message.teamId,
    channelId,
    ...(cancelledRunId ? { runId: cancelledRunId } : {}),
    text,
    correlationId: message.correlationId,
  });
}

/**
 * A channel's settings changed (`admin_config_changed`, from admin-service): when the channel was
 * turned off, its open run is cancelled; turned off or on, the channel is told; the reminders of its runs
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
      const effectIds: string[] = [];
      if (before.enabled !== after.enabled) {
        const cancelled = after.enabled ? null : await cancelOpenRun(tx, message);
        effectIds.push(
          ...(cancelled?.effectIds ?? []),
          await announce(tx, message, cancelled?.runId ?? null),
        );
      }
      const reminders = await rescheduleChannelRuns(tx, channelId);
      return { effectIds, ...reminders };
    },
  );
  if (processed.duplicate) return processed;
  deps.wakeOutbox();
  const { effectIds, runs, scheduled } = processed.result;
  if (effectIds.length > 0) {
    context.logger.info(
      { channelId, enabled: after.enabled },
      'channel turned on or off; the channel is told',
    );
    await deps.effects.deliver(effectIds);
  }
  context.logger.info({ runs, scheduled }, 'channel settings changed; reminders scheduled again');
  return processed;
}
