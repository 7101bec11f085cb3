import type { AnyMessage, MessageProducer, TopicName } from '@coffeebuddy/contracts';
import { type Db, type Tx, withTransaction } from '@coffeebuddy/db';
import type { Logger } from 'pino';
import type { PollerDefinition } from './worker';

/**
 * Transactional outbox. `enqueueOutbox` writes an event in the same transaction as the change
 * that caused it; the relay (a worker poller) publishes unpublished events in creation order and
 * marks them. A crash between publishing and marking republishes the event with the same message
 * ID, which consumers' processed-message check drops — so the change and its event are atomic
 * and the event is effectively delivered once.
 */
export async function enqueueOutbox(tx: Tx, topic: TopicName, message: AnyMessage): Promise<void> {
  await tx.outboxEvent.create({
    data: { topic, key: message.channelId, message: message as object, correlationId: message.correlationId },
  });
}

interface OutboxRow {
  id: string;
  topic: string;
  message: AnyMessage;
}

/** Publishes up to `batchSize` pending events; returns how many were published. */
export async function relayOutboxOnce(
  db: Db,
  producer: MessageProducer,
  logger: Logger,
  batchSize = 100,
): Promise<number> {
  try {
    return await withTransaction(db, async (tx) => {
      // SKIP LOCKED: several relays (replicas) share the work without waiting on each other.
      const rows = await tx.$queryRaw<OutboxRow[]>`
        SELECT id, topic, message FROM outbox_events
         WHERE published_at IS NULL ORDER BY created_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
      for (const row of rows) {
        await producer.send(row.topic as TopicName, row.message);
        logger.debug(
          { correlationId: row.message.correlationId, type: row.message.type },
          'outbox event published',
        );
      }
      if (rows.length > 0) {
        await tx.outboxEvent.updateMany({
          where: { id: { in: rows.map((r) => r.id) } },
          data: { publishedAt: new Date() },
        });
      }
      return rows.length;
    });
  } catch (error) {
    const message = (error as Error).message;
    logger.error({ err: message }, 'outbox relay failed; the events stay pending and are retried');
    await db.outboxEvent
      .updateMany({
        where: { publishedAt: null },
        data: { attempts: { increment: 1 }, lastError: message.slice(0, 1000) },
      })
      .catch(() => undefined);
    return 0;
  }
}

/** The relay as a worker poller. Wake it with `worker.wake(OUTBOX_RELAY)` right after a commit. */
export const OUTBOX_RELAY = 'outbox-relay';

export function outboxRelayPoller(db: Db, intervalMs = 250): PollerDefinition {
  return {
    name: OUTBOX_RELAY,
    intervalMs,
    run: async (logger, { producer }) => {
      // Drain everything pending before sleeping.
      while ((await relayOutboxOnce(db, producer, logger)) > 0) {}
    },
  };
}
