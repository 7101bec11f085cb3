import { createMessage, TOPICS } from '@coffeebuddy/contracts';
import type { Channel, Tx } from '@coffeebuddy/db';
import { enqueueOutboxAll } from '@coffeebuddy/service-kit';
import { reminderSchedules } from '../domain/reminders';

/**
 * Schedules a run's reminders as they should be now: bumps the run's reminder version and queues
 * a `reminder_scheduled` per reminder on the reminder events topic through the outbox, in the
 * caller's transaction (the reminder-worker keeps only the newest version, so a stale one never
 * fires). Runs without a pickup time schedule nothing. `channel` is the run's channel row when the
 * caller read it in this transaction (it is read otherwise). Returns how many were queued.
 */
export async function scheduleReminders(tx: Tx, runId: string, channel?: Channel): Promise<number> {
  // One UPDATE … RETURNING: a run without a pickup time is left as it is.
  const [run] = await tx.run.updateManyAndReturn({
    where: { id: runId, pickupAt: { not: null } },
    data: { reminderVersion: { increment: 1 } },
  });
  if (!run) return 0;
  const settings = channel ?? (await tx.channel.findUniqueOrThrow({ where: { id: run.channelId } }));
  const schedules = reminderSchedules({
    runId: run.id,
    channelId: run.channelId,
    status: run.status,
    pickupAt: run.pickupAt,
    runnerId: run.runnerId,
    version: run.reminderVersion,
    channel: settings,
  });
  // The run's own correlation ID: every reminder outcome traces back to the /coffee that started it.
  await enqueueOutboxAll(
    tx,
    'runs-service',
    schedules.map((payload) => ({
      topic: TOPICS.reminderEvents,
      message: createMessage(
        'reminder_scheduled',
        { correlationId: run.correlationId, teamId: run.teamId, channelId: run.channelId, userId: null },
        payload,
      ),
    })),
  );
  return schedules.length;
}

/**
 * Schedules again the reminders of a channel's runs still to come (open, or closed with a
 * runner, pickup ahead), with the channel's settings as they are now, in the caller's
 * transaction. Returns how many runs and reminders.
 */
export async function rescheduleChannelRuns(
  tx: Tx,
  channelId: string,
): Promise<{ runs: number; scheduled: number }> {
  const runs = await tx.run.findMany({
    where: {
      channelId,
      pickupAt: { gt: new Date() },
      OR: [{ status: 'open' }, { status: 'closed', runnerId: { not: null } }],
    },
    select: { id: true },
  });
  let scheduled = 0;
  for (const run of runs) scheduled += await scheduleReminders(tx, run.id);
  return { runs: runs.length, scheduled };
}
