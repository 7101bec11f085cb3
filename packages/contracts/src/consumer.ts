import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { AnyMessage } from './catalog';
import { ContractError } from './errors';
import type { KafkaMetrics } from './kafka-metrics';
import { HEADERS, type MessageProducer } from './producer';
import type { MessageRegistry } from './registry';
import { deadLetterTopicFor, type TopicName } from './topics';
import { isTransientError, TransientError } from './transient';
import { validateMessage } from './validation';

/** Headers a dead letter carries besides the original message's own. */
export const DEAD_LETTER_HEADERS = {
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumerGroup: 'dlq-consumer-group',
  errorCode: 'dlq-error-code',
  errorMessage: 'dlq-error-message',
  attempts: 'dlq-attempts',
  failedAt: 'dlq-failed-at',
} as const;

export interface DeliveryContext {
  topic: TopicName;
  partition: number;
  offset: string;
  consumerGroup: string;
  /** 1 for the first try. */
  attempt: number;
  /** A child logger carrying the message's correlation ID. */
  logger: Logger;
}

/**
 * Does the message's effect. Must be idempotent across redeliveries: use `processMessageOnce`
 * from @coffeebuddy/db so the effect and the processed-message record commit together.
 */
export type MessageHandler = (
  message: AnyMessage,
  context: DeliveryContext,
) => // biome-ignore lint/suspicious/noConfusingVoidType: most handlers return nothing; idempotent ones return the outcome
Promise<void | HandlerOutcome>;

/** What `processMessageOnce` returns; a handler passing it on lets redeliveries be counted. */
export interface HandlerOutcome {
  duplicate: boolean;
}

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface ConsumerOptions {
  kafka: Kafka;
  registry: MessageRegistry;
  /** Used for dead letters. */
  producer: MessageProducer;
  logger: Logger;
  metrics?: KafkaMetrics;
  groupId: string;
  topics: TopicName[];
  handler: MessageHandler;
  /**
   * Handler retries before the message is dead-lettered. Keep attempts × maxDelayMs well under
   * the session timeout: the partition waits while a message is retried.
   */
  retry?: Partial<RetryPolicy>;
  sessionTimeoutMs?: number;
  /**
   * Longest one handler attempt may take (default 10 s, or a third of a shorter session timeout)
   * before it counts as a transient failure
   * and is retried. Must be well under `sessionTimeoutMs`: kafkajs sends no heartbeat while a
   * handler runs, and a member silent past its session timeout loses its partitions — the message
   * would be handled twice. The database's statement and lock timeouts keep attempts shorter still.
   */
  handlerTimeoutMs?: number;
  /** Longest wait of an idle fetch (default 500 ms). */
  maxWaitTimeMs?: number;
  /** Partitions handled in parallel (messages within a partition are always in order). */
  partitionsConcurrently?: number;
}

export interface MessageConsumer {
  start(): Promise<void>;
  /** Stops fetching, lets the in-flight message finish and commit, then leaves the group. */
  stop(): Promise<void>;
  /** True once the consumer has joined its group and until it stops or crashes. */
  isReady(): boolean;
  readonly groupId: string;
  readonly topics: TopicName[];
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 2_000 };

/** A handler attempt that ran past its deadline: waited out and retried like a slow dependency. */
export class HandlerTimeoutError extends TransientError {
  readonly code = 'HANDLER_TIMEOUT';
}

/** Runs one handler attempt, failing it with HandlerTimeoutError after `timeoutMs`. */
async function withDeadline<T>(attempt: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      attempt,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new HandlerTimeoutError(`handler did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createConsumer(options: ConsumerOptions): MessageConsumer {
  const { kafka, registry, producer, logger, metrics, groupId, topics, handler } = options;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const handlerTimeout = options.handlerTimeoutMs ?? Math.min(10_000, Math.floor(sessionTimeout / 3));
  if (handlerTimeout * 2 > sessionTimeout) {
    throw new ContractError(
      'INVALID_CONFIG',
      `handler timeout ${handlerTimeout} ms must be at most half the session timeout ${sessionTimeout} ms`,
    );
  }
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout,
    heartbeatInterval: 3_000,
    // An idle fetch returns after this long; it bounds how long stop() waits for a fetch.
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 500,
    allowAutoTopicCreation: false,
  });
  let ready = false;
  let stopping = false;
  const client = `consumer:${groupId}`;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    ready = true;
    metrics?.connected.set({ client }, 1);
  });
  consumer.on(consumer.events.CRASH, (event) => {
    ready = false;
    metrics?.connected.set({ client }, 0);
    logger.error({ err: event.payload.error, groupId, restart: event.payload.restart }, 'consumer crashed');
  });
  consumer.on(consumer.events.DISCONNECT, () => {
    ready = false;
    metrics?.connected.set({ client }, 0);
  });

  async function deadLetter(
    payload: EachMessagePayload,
    reason: { code: string; message: string; attempts: number },
  ): Promise<void> {
    const { topic, partition, message } = payload;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      if (value !== undefined)
        headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
    }
    Object.assign(headers, {
      [DEAD_LETTER_HEADERS.originalTopic]: topic,
      [DEAD_LETTER_HEADERS.originalPartition]: String(partition),
      [DEAD_LETTER_HEADERS.originalOffset]: message.offset,
      [DEAD_LETTER_HEADERS.consumerGroup]: groupId,
      [DEAD_LETTER_HEADERS.errorCode]: reason.code,
      [DEAD_LETTER_HEADERS.errorMessage]: reason.message.slice(0, 2_000),
      [DEAD_LETTER_HEADERS.attempts]: String(reason.attempts),
      [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
    });
    await producer.sendRaw(deadLetterTopicFor(topic as TopicName), {
      key: message.key?.toString() ?? '',
      value: message.value ?? Buffer.alloc(0),
      headers,
    });
    metrics?.deadLettered.inc({ topic, group: groupId, reason: reason.code });
  }

  async function commit(payload: EachMessagePayload): Promise<void> {
    await consumer.commitOffsets([
      {
        topic: payload.topic,
        partition: payload.partition,
        offset: (BigInt(payload.message.offset) + 1n).toString(),
      },
    ]);
  }

  async function handleMessage(payload: EachMessagePayload): Promise<void> {
    const topic = payload.topic as TopicName;
    const { partition, message } = payload;
    const headerCorrelation = message.headers?.[HEADERS.correlationId]?.toString();
    const baseLog = logger.child({
      topic,
      partition,
      offset: message.offset,
      correlationId: headerCorrelation,
    });

    let decoded: AnyMessage;
    try {
      if (!message.value) throw new ContractError('UNDECODABLE_MESSAGE', 'message has no value');
      decoded = validateMessage(await registry.decode(message.value), 'consume');
    } catch (error) {
      const code = error instanceof ContractError ? error.code : 'UNDECODABLE_MESSAGE';
      if (code === 'REGISTRY_ERROR') throw error; // the registry is down: retry later, never dead-letter
      baseLog.warn(
        { err: (error as Error).message, code },
        'poison message, sending it to the dead-letter topic',
      );
      await deadLetter(payload, { code, message: (error as Error).message, attempts: 0 });
      await commit(payload);
      return;
    }

    const log = baseLog.child({
      ...(headerCorrelation === decoded.correlationId ? {} : { correlationId: decoded.correlationId }),
      type: decoded.type,
      messageId: decoded.messageId,
    });
    const labels = { topic, type: decoded.type, group: groupId };
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let lastError: Error | undefined;
    let failures = 0;
    let outcome: HandlerOutcome | undefined;
    let succeeded = false;
    for (let attempt = 1; failures < retry.attempts; attempt++) {
      if (stopping && attempt > 1) {
        // Not committed: whoever takes the partition next gets the message again.
        log.info({ attempt }, 'stopping between retries; the message will be redelivered');
        return;
      }
      try {
        outcome = (await withDeadline(
          handler(decoded, {
            topic,
            partition,
            offset: message.offset,
            consumerGroup: groupId,
            attempt,
            logger: log,
          }),
          handlerTimeout,
        )) as HandlerOutcome | undefined;
        succeeded = true;
        break;
      } catch (error) {
        lastError = error as Error;
        const transient = isTransientError(error);
        const code = (error as { code?: unknown }).code;
        metrics?.failed.inc({
          ...labels,
          code: typeof code === 'string' ? code : transient ? 'TRANSIENT' : 'HANDLER_ERROR',
        });
        // A dependency being down is waited out (the partition waits, in order); only failures
        // that would happen again count towards dead-lettering.
        if (!transient) failures++;
        const delay = Math.min(
          transient ? Math.max(retry.maxDelayMs, 5_000) : retry.maxDelayMs,
          retry.initialDelayMs * 2 ** Math.min(attempt - 1, 16),
        );
        if (failures < retry.attempts) {
          log.warn(
            { err: lastError.message, attempt, transient, nextInMs: delay },
            'handler failed, retrying',
          );
          await payload.heartbeat();
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    }
    if (succeeded) {
      if (outcome?.duplicate) {
        metrics?.duplicates.inc({ topic, group: groupId });
        log.info('already processed; skipping the redelivered message');
      }
      metrics?.processed.inc(labels);
      metrics?.handlerDuration.observe({ ...labels, outcome: 'processed' }, seconds());
    } else {
      log.error(
        { err: lastError?.message, attempts: retry.attempts },
        'handler kept failing, sending the message to the dead-letter topic',
      );
      await deadLetter(payload, {
        code: 'HANDLER_FAILED',
        message: lastError?.message ?? 'unknown error',
        attempts: retry.attempts,
      });
      metrics?.handlerDuration.observe({ ...labels, outcome: 'dead_lettered' }, seconds());
    }
    // Outside the retry loop: a failed commit (a rebalance moved the partition) is not a handler
    // failure. It propagates; the partition's next owner redelivers and the effect is not repeated.
    await commit(payload);
  }

  const inFlight = new Set<Promise<void>>();
  async function eachMessage(payload: EachMessagePayload): Promise<void> {
    // Once stopping, nothing new starts; it is not committed, so it is redelivered later.
    if (stopping) return;
    const work = handleMessage(payload);
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  }

  return {
    groupId,
    topics,
    isReady: () => ready && !stopping,
    async start() {
      await consumer.connect();
      // A group without committed offsets starts at the beginning: nothing acked before a
      // service's first deployment is skipped (redelivery is harmless, handlers are idempotent).
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
        eachMessage,
      });
    },
    async stop() {
      stopping = true;
      // Stop fetching, let in-flight messages finish and commit while the consumer still runs
      // (kafkajs drops commits made after stop() began), then leave the group.
      consumer.pause(topics.map((topic) => ({ topic })));
      await Promise.allSettled(inFlight);
      await consumer.stop();
      await consumer.disconnect();
      ready = false;
    },
  };
}
