import type { Db } from '@coffeebuddy/db';
import { buildRunMessage } from './blocks/run-message';
import type { SlackActions } from './slack-actions';

/** Active orders of a run in the one order every view shows them in: first ordered first. */
export async function activeOrders(db: Pick<Db, 'order'>, runId: string) {
  return db.order.findMany({
    where: { runId, status: 'active' },
    orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
    select: { userId: true, text: true, provenance: true, id: true },
  });
}

/**
 * Re-renders a run's message from the database and `chat.update`s it. Rendering the whole
 * current state makes it idempotent: after any change, and again after a redelivery, the message
 * shows what the database holds.
 */
export async function refreshRunMessage(db: Db, slack: SlackActions, runId: string): Promise<void> {
  const run = await db.run.findUnique({ where: { id: runId } });
  if (!run?.messageTs) return;
  const orders = await activeOrders(db, runId);
  await slack.updateMessage(
    run.teamId,
    run.channelId,
    run.messageTs,
    buildRunMessage({ ...run, runId: run.id, orders }),
  );
}
