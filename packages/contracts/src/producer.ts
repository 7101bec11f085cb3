import { type Kafka, type Producer as KafkaProducer, Partitioners, type TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import { type AnyMessage, MESSAGE_CATALOG } from './catalog';
import { ContractError } from './errors';
import type { KafkaMetrics } from './kafka-metrics';
import type { MessageRegistry } from './registry';
import type { AnyTopicName, TopicName } from './topics';
import { validateMessage } from './validation';

/** Kafka headers every message carries, readable without decoding the value. */
export const HEADERS = {
  messageId: 'coffeebuddy-message-id',
  messageType: 'coffeebuddy-message-type',
  schemaVersion: 'coffeebuddy-schema-version',
  correlationId: 'coffeebuddy-correlation-id',
} as const;

export interface RawRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface MessageProducer {
  connect(): Promise<void>;
  /**
   * Validates, encodes through the registry and sends; resolves once all in-sync replicas have
   * it (acks=all), rejects when this message did not get there. Concurrent calls share produce
   * requests (see createProducer); each caller learns the fate of its own message.
   */
  send(topic: TopicName, message: AnyMessage): Promise<void>;
  /** Sends already-encoded bytes (dead letters, the outbox relay), batched like `send`. */
  sendRaw(topic: AnyTopicName, record: RawRecord): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  kafka: Kafka;
  registry: MessageRegistry;
  logger: Logger;
  metrics?: KafkaMetrics;
  /** How long one produce request may wait for the broker before it fails. */
  timeoutMs?: number;
  /**
   * How long the first message of a batch waits for others when no request is in flight, in ms
   * (default 1, at most 5). While a request is in flight, messages gather anyway.
   */
  lingerMs?: number;
  /** The most messages one produce request carries (default 500); the rest wait for the next. */
  maxBatchMessages?: number;
  /**
   * The largest record accepted, key + value + headers in bytes (default 1,000,000, under the
   * broker's default message.max.bytes): a larger one is refused to its caller alone
   * (ContractError MESSAGE_TOO_LARGE) instead of failing the request it would share.
   */
  maxMessageBytes?: number;
  /** Called with the size of every produce request sent (tests, benchmarks). */
  onBatch?: (messages: number) => void;
}

/** A message waiting for its produce request; `record` is null while it is still being encoded. */
interface Pending {
  topic: AnyTopicName;
  record: RawRecord | null;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A record's size on the wire, roughly: key, value and headers (names and values), in bytes. */
function recordBytes(record: RawRecord): number {
  let size = Buffer.byteLength(record.key) + record.value.length;
  for (const [name, value] of Object.entries(record.headers))
    size += Buffer.byteLength(name) + Buffer.byteLength(value);
  return size;
}

/**
 * An idempotent producer (acks=all, no auto topic creation) that batches without giving up
 * durability. Every send joins a queue in call order; one produce request (kafkajs `sendBatch`)
 * is in flight at a time, carrying up to `maxBatchMessages` queued messages, so concurrent sends
 * coalesce while the previous request is on the wire, and a lone send waits at most `lingerMs`.
 *
 * - Durability: a caller's promise resolves only when the broker has acknowledged the request
 *   its message was in, with acks=all (all in-sync replicas) and idempotence (broker-side
 *   de-duplication of kafkajs' retries, sequence numbers per partition).
 * - Per-caller results: a message the contracts refuse (no correlation ID, invalid, topic not
 *   allowed, larger than `maxMessageBytes`) rejects only its caller and never holds the queue; a
 *   produce request that fails rejects every caller whose message it carried, with the broker's
 *   error.
 * - Order per key: messages leave in call order (a message still being encoded holds the ones
 *   behind it), one request at a time, and each partition's messages keep their order inside a
 *   request. When a request fails, or a message cannot be encoded for a passing reason (the
 *   registry unreachable), every message queued behind it fails too (with the same error)
 *   instead of overtaking it: what was sent after a lost message is never written ahead of it;
 *   a caller that retries sends again, in its own order.
 */
export function createProducer(options: ProducerOptions): MessageProducer {
  const { kafka, registry, logger, metrics } = options;
  const timeout = options.timeoutMs ?? 10_000;
  const lingerMs = Math.min(5, Math.max(0, options.lingerMs ?? 1));
  const maxBatch = Math.max(1, options.maxBatchMessages ?? 500);
  const maxMessageBytes = options.maxMessageBytes ?? 1_000_000;
  const producer: KafkaProducer = kafka.producer({
    // Java-client-compatible murmur2 partitioning: a channel's key lands where Java tools expect.
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    // kafkajs' idempotent producer needs one request in flight; the batching below fills it.
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  producer.on(producer.events.CONNECT, () => metrics?.connected.set({ client: 'producer' }, 1));
  producer.on(producer.events.DISCONNECT, () => metrics?.connected.set({ client: 'producer' }, 0));

  const queue: Pending[] = [];
  let inFlight = false;
  let timer: NodeJS.Timeout | undefined;

  /** Starts the next request when none is in flight and the head of the queue is encoded. */
  function schedule(): void {
    if (inFlight || timer || queue.length === 0 || queue[0]?.record === null) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, lingerMs);
  }

  async function flush(): Promise<void> {
    if (inFlight) return;
    const batch: Pending[] = [];
    while (batch.length < maxBatch && queue.length > 0 && queue[0]?.record !== null) {
      batch.push(queue.shift() as Pending);
    }
    if (batch.length === 0) return;
    inFlight = true;
    const byTopic = new Map<string, TopicMessages>();
    for (const item of batch) {
      const record = item.record as RawRecord;
      let entry = byTopic.get(item.topic);
      if (!entry) {
        entry = { topic: item.topic, messages: [] };
        byTopic.set(item.topic, entry);
      }
      entry.messages.push({ key: record.key, value: record.value, headers: record.headers });
    }
    options.onBatch?.(batch.length);
    try {
      await producer.sendBatch({ acks: -1, timeout, topicMessages: [...byTopic.values()] });
      for (const item of batch) item.resolve();
    } catch (error) {
      // Whatever was queued behind this request must not overtake it: it fails the same way
      // (messages still being encoded included; their encoding finishes into nothing).
      const behind = queue.splice(0, queue.length);
      for (const item of [...batch, ...behind]) item.reject(error as Error);
      logger.warn(
        { err: (error as Error).message, messages: batch.length + behind.length },
        'a produce request failed; its messages and those queued behind it are reported failed',
      );
    } finally {
      inFlight = false;
      schedule();
    }
  }

  /** Queues a message in call order; `encode` fills it in (or takes it out when it fails). */
  function enqueue(topic: AnyTopicName, encode: () => Promise<RawRecord>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const item: Pending = { topic, record: null, resolve, reject };
      queue.push(item);
      encode()
        .then((record) => {
          const size = recordBytes(record);
          if (size > maxMessageBytes) {
            throw new ContractError(
              'MESSAGE_TOO_LARGE',
              `a ${size}-byte record for ${topic} is larger than the ${maxMessageBytes} bytes a produce request may carry`,
            );
          }
          item.record = record;
        })
        .catch((error: Error) => {
          const at = queue.indexOf(item);
          // A message the contracts refuse (too large, say) fails alone. One that could not be
          // encoded for a passing reason (the registry unreachable) takes what is queued behind
          // it along, so nothing overtakes it.
          const passing = !(error instanceof ContractError) || error.code === 'REGISTRY_ERROR';
          const behind = at >= 0 ? queue.splice(at, passing ? queue.length - at : 1).slice(1) : [];
          reject(error);
          for (const other of behind) other.reject(error);
        })
        .finally(schedule);
    });
  }

  return {
    connect: () => producer.connect(),
    async send(topic, message) {
      if (!message || typeof message.correlationId !== 'string' || message.correlationId.trim() === '') {
        throw new ContractError(
          'MISSING_CORRELATION_ID',
          `refusing to produce a ${message?.type} message without a correlation ID`,
        );
      }
      validateMessage(message);
      const allowed: readonly string[] = MESSAGE_CATALOG[message.type].topics;
      if (!allowed.includes(topic)) {
        throw new ContractError(
          'TOPIC_NOT_ALLOWED',
          `${message.type} messages are not published to ${topic} (allowed: ${allowed.join(', ')})`,
        );
      }
      await enqueue(topic, async () => ({
        key: message.channelId,
        value: await registry.encodeValidated(topic, message.type, message),
        headers: {
          [HEADERS.messageId]: message.messageId,
          [HEADERS.messageType]: message.type,
          [HEADERS.schemaVersion]: String(message.schemaVersion),
          [HEADERS.correlationId]: message.correlationId,
        },
      }));
      metrics?.produced.inc({ topic, type: message.type });
      logger.debug(
        { correlationId: message.correlationId, topic, type: message.type, messageId: message.messageId },
        'message produced',
      );
    },
    sendRaw: (topic, record) => enqueue(topic, async () => record),
    async disconnect() {
      // Let what is queued or in flight finish (or fail) before the connection goes.
      while (inFlight || queue.length > 0) {
        if (!inFlight && !timer) schedule();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await producer.disconnect();
    },
  };
}
