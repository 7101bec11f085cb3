import {
  type AnyMessage,
  ContractError,
  isTransientError,
  type MessageProducer,
  type TopicName,
} from '@coffeebuddy/contracts';
import { type Db, type Tx, withTransaction } from '@coffeebuddy/db';
import type { Logger } from 'pino';
import type { PollerDefinition } from './worker';

/**
 * Transactional outbox. `enqueueOutbox` writes an event in the same transaction as the change
 * that caused it; the relay (a worker poller) publishes unpublished events in creation order and
 * marks each once the broker has it. A crash between publishing and marking republishes the event with the same message
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
  attempts: number;
}

/** After this many failed attempts an event is left for an operator (it keeps its last_error). */
export const OUTBOX_MAX_ATTEMPTS = 10;
/** Only one relay publishes at a time (all services share the table): events keep their order. */
const RELAY_LOCK_KEY = 0x0c0ffee;

/**
 * Publishes up to `batchSize` pending events in sequence order; returns how many were published.
 * Each event is marked as soon as the broker has it. An event that cannot be published (invalid
 * for the current schema, say) is counted and skipped after OUTBOX_MAX_ATTEMPTS, so it never
 * blocks the ones behind it; a broker that is down stops the batch until the next run.
 */
export async function relayOutboxOnce(
  db: Db,
  producer: MessageProducer,
  logger: Logger,
  batchSize = 50,
): Promise<number> {
  return withTransaction(
    db,
    async (tx) => {
      const [lock] = await tx.$queryRaw<
        { locked: boolean }[]
      >`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) AS locked`;
      if (!lock?.locked) return 0; // another relay is publishing right now
      const rows = await tx.$queryRaw<OutboxRow[]>`
        SELECT id, topic, message, attempts FROM outbox_events
         WHERE published_at IS NULL AND attempts < ${OUTBOX_MAX_ATTEMPTS}
         ORDER BY seq LIMIT ${batchSize}`;
      let published = 0;
      for (const row of rows) {
        try {
          await producer.send(row.topic as TopicName, row.message);
        } catch (error) {
          const message = (error as Error).message;
          // A message the contracts refuse will be refused again: count it. Anything else (broker
          // or registry unreachable) is waited out without counting, and keeps the order.
          const permanent =
            error instanceof ContractError && error.code !== 'REGISTRY_ERROR' && !isTransientError(error);
          await tx.outboxEvent.update({
            where: { id: row.id },
            data: { ...(permanent ? { attempts: { increment: 1 } } : {}), lastError: message.slice(0, 1000) },
          });
          logger.error(
            { err: message, correlationId: row.message.correlationId, type: row.message.type, permanent },
            permanent && row.attempts + 1 >= OUTBOX_MAX_ATTEMPTS
              ? 'outbox event given up on; it needs an operator'
              : 'outbox event not published; will retry',
          );
          if (!permanent) break;
          continue;
        }
        await tx.outboxEvent.update({ where: { id: row.id }, data: { publishedAt: new Date() } });
        published++;
        logger.debug(
          { correlationId: row.message.correlationId, type: row.message.type },
          'outbox event published',
        );
      }
      return published;
    },
    { timeoutMs: 60_000 },
  ).catch((error: Error) => {
    logger.error({ err: error.message }, 'outbox relay failed; pending events are retried');
    return 0;
  });
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
