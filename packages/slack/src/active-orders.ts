import type { Db } from '@coffeebuddy/db';

/** Active orders of a run in the one order every view shows them in: first ordered first. */
export async function activeOrders(db: Pick<Db, 'order'>, runId: string) {
  return db.order.findMany({
    where: { runId, status: 'active' },
    orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
    select: { userId: true, text: true, provenance: true, id: true },
  });
}
