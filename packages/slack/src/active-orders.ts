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
  if (!run?.messageTs || run.status !== 'open') return; // runs-service renders closed runs
  const orders = await activeOrders(db, runId);
  await slack.updateMessage(
    run.teamId,
    run.channelId,
    run.messageTs,
    buildRunMessage({ ...run, runId: run.id, orders }),
  );
  // A close may have rendered the closed message while this update was in flight; if so, put
  // the closed version back rather than leave the buttons showing.
  const after = await db.run.findUnique({ where: { id: runId } });
  if (after?.messageTs && after.status !== 'open') {
    const snapshot = (after.orderSnapshot as { userId: string; text: string }[] | null) ?? [];
    await slack.updateMessage(
      after.teamId,
      after.channelId,
      after.messageTs,
      buildRunMessage({ ...after, runId: after.id, orders: snapshot }),
    );
  }
}
