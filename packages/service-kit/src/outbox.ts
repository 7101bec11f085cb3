import {
  type AnyMessage,
  ContractError,
  isTransientError,
  type MessageProducer,
  SERVICE_ACCESS,
  type ServiceName,
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
 *
 * Each event belongs to the service that wrote it (`owner`): only that service's relay publishes
 * it, as that service's Kafka principal. Throws ContractError TOPIC_NOT_ALLOWED when `owner` may
 * not write `topic` (SERVICE_ACCESS, ACL.md): its relay could never publish the event.
 */
export async function enqueueOutbox(
  tx: Tx,
  owner: ServiceName,
  topic: TopicName,
  message: AnyMessage,
): Promise<void> {
  await enqueueOutboxAll(tx, owner, [{ topic, message }]);
}

/**
 * `enqueueOutbox` for several events at once, in one INSERT: they are published in the order
 * given (their `seq` follows it). Throws ContractError TOPIC_NOT_ALLOWED, writing none of them,
 * when `owner` may not write one of the topics.
 */
export async function enqueueOutboxAll(
  tx: Tx,
  owner: ServiceName,
  events: { topic: TopicName; message: AnyMessage }[],
): Promise<void> {
  for (const { topic, message } of events) {
    if (!SERVICE_ACCESS[owner].produces.includes(topic)) {
      throw new ContractError(
        'TOPIC_NOT_ALLOWED',
        `${owner} may not write ${topic} (packages/contracts ACL.md), so its outbox cannot hold ${message.type}`,
      );
    }
  }
  if (events.length === 0) return;
  await tx.outboxEvent.createMany({
    data: events.map(({ topic, message }) => ({
      owner,
      topic,
      key: message.channelId,
      message: message as object,
      correlationId: message.correlationId,
    })),
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
/** One relay per owner publishes at a time (replicas share the table): events keep their order. */
const RELAY_LOCK_KEY = 0x0c0ffee;

/**
 * Publishes up to `batchSize` pending events of `owner` in sequence order, handed to the producer
 * together (it batches them into few produce requests and keeps their order); returns how many
 * were published. The events the broker has are marked published together. An event that cannot be published
 * (invalid for the current schema, say) is counted and skipped after OUTBOX_MAX_ATTEMPTS, so it
 * never blocks the ones behind it; a broker that is down stops the batch until the next run. An
 * event waits while another owner's earlier event for the same topic and key is pending, so a
 * channel's events stay in order across services (runs-service and orders-service both write
 * the run events).
 */
export async function relayOutboxOnce(
  db: Db,
  owner: string,
  producer: MessageProducer,
  logger: Logger,
  batchSize = 50,
): Promise<number> {
  return withTransaction(
    db,
    async (tx) => {
      const [lock] = await tx.$queryRaw<
        { locked: boolean }[]
      >`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}::int, hashtext(${owner})) AS locked`;
      if (!lock?.locked) return 0; // another replica's relay is publishing right now
      const rows = await tx.$queryRaw<OutboxRow[]>`
        SELECT e.id, e.topic, e.message, e.attempts FROM outbox_events e
         WHERE e.owner = ${owner} AND e.published_at IS NULL AND e.attempts < ${OUTBOX_MAX_ATTEMPTS}
           AND NOT EXISTS (
             SELECT 1 FROM outbox_events o
              WHERE o.published_at IS NULL AND o.attempts < ${OUTBOX_MAX_ATTEMPTS}
                AND o.topic = e.topic AND o.key = e.key AND o.seq < e.seq AND o.owner <> e.owner)
         ORDER BY e.seq LIMIT ${batchSize}`;
      // Handed to the producer all at once, in sequence order: it carries them in as few produce
      // requests as it can and keeps their order (one lost on the way fails those behind it too).
      const sent = await Promise.allSettled(
        rows.map((row) => producer.send(row.topic as TopicName, row.message)),
      );
      const publishedIds: string[] = [];
      let waiting = false;
      for (const [index, row] of rows.entries()) {
        const outcome = sent[index] as PromiseSettledResult<void>;
        if (outcome.status === 'fulfilled') {
          publishedIds.push(row.id);
          logger.debug(
            { correlationId: row.message.correlationId, type: row.message.type },
            'outbox event published',
          );
          continue;
        }
        if (waiting) continue; // behind an event that is waited out: retried with it, in order
        const message = (outcome.reason as Error).message;
        // A message the contracts refuse will be refused again: count it. Anything else (broker
        // or registry unreachable) is waited out without counting, and keeps the order.
        const permanent =
          outcome.reason instanceof ContractError &&
          outcome.reason.code !== 'REGISTRY_ERROR' &&
          !isTransientError(outcome.reason);
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
        if (!permanent) waiting = true;
      }
      if (publishedIds.length > 0) {
        await tx.outboxEvent.updateMany({
          where: { id: { in: publishedIds } },
          data: { publishedAt: new Date() },
        });
      }
      const published = publishedIds.length;
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

/** The relay of `owner`'s events as a worker poller. */
export function outboxRelayPoller(db: Db, owner: string, intervalMs = 250): PollerDefinition {
  return {
    name: OUTBOX_RELAY,
    intervalMs,
    run: async (logger, { producer }) => {
      // Drain everything pending before sleeping.
      while ((await relayOutboxOnce(db, owner, producer, logger)) > 0) {}
    },
  };
}
