import {
  createMessage,
  type DeliveryContext,
  type HandlerOutcome,
  type MessageOf,
  TOPICS,
} from '@coffeebuddy/contracts';
import { type Db, processMessageOnce, type Tx } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import { reminderSchedules } from '../domain/reminders';

/**
 * Schedules a run's reminders as they should be now: bumps the run's reminder version and queues
 * a `reminder_scheduled` per reminder on the reminder events topic through the outbox, in the
 * caller's transaction (the reminder-worker keeps only the newest version, so a stale one never
 * fires). Runs without a pickup time schedule nothing. Returns how many were queued.
 */
export async function scheduleReminders(tx: Tx, runId: string): Promise<number> {
  const current = await tx.run.findUnique({ where: { id: runId }, select: { pickupAt: true } });
  if (!current?.pickupAt) return 0;
  const run = await tx.run.update({
    where: { id: runId },
    data: { reminderVersion: { increment: 1 } },
    include: { channel: true },
  });
  const schedules = reminderSchedules({
    runId: run.id,
    channelId: run.channelId,
    status: run.status,
    pickupAt: run.pickupAt,
    runnerId: run.runnerId,
    version: run.reminderVersion,
    channel: run.channel,
  });
  for (const payload of schedules) {
    // The run's own correlation ID: every reminder outcome traces back to the /coffee that started it.
    await enqueueOutbox(
      tx,
      'runs-service',
      TOPICS.reminderEvents,
      createMessage(
        'reminder_scheduled',
        { correlationId: run.correlationId, teamId: run.teamId, channelId: run.channelId, userId: null },
        payload,
      ),
    );
  }
  return schedules.length;
}

/**
 * A channel's settings changed (`admin_config_changed`): the reminders of its runs still to come
 * are scheduled again with the new offset, last-call toggle and on/off switch.
 */
export async function rescheduleChannelReminders(
  deps: { db: Db; wakeOutbox: () => void },
  message: MessageOf<'admin_config_changed'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      const runs = await tx.run.findMany({
        where: {
          channelId: message.payload.channelId,
          pickupAt: { gt: new Date() },
          OR: [{ status: 'open' }, { status: 'closed', runnerId: { not: null } }],
        },
        select: { id: true },
      });
      let scheduled = 0;
      for (const run of runs) scheduled += await scheduleReminders(tx, run.id);
      return { runs: runs.length, scheduled };
    },
  );
  if (!processed.duplicate) {
    deps.wakeOutbox();
    context.logger.info(processed.result, 'channel settings changed; reminders scheduled again');
  }
  return processed;
}
