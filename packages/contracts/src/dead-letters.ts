import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from './consumer';
import { HEADERS, type MessageProducer } from './producer';
import { deadLetterTopicFor, type TopicName } from './topics';

/** A message a consumer gave up on, as it sits in `<topic>.dlq`, with why. */
export interface DeadLetter {
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /** Read from the provenance headers (see DEAD_LETTER_HEADERS). */
  originalTopic: string;
  consumerGroup: string;
  errorCode: string;
  errorMessage: string;
  failedAt: string;
  messageType: string;
  correlationId: string;
}

const headerText = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : Array.isArray(value)
      ? value.map(String).join(',')
      : String(value);

/**
 * Every dead letter of `topic` (its `.dlq` topic, read from the beginning to the end as it is
 * now). Reads with a throw-away consumer group and commits nothing; throws when the end is not
 * reached within `timeoutMs`.
 */
export async function readDeadLetters(
  kafka: Kafka,
  topic: TopicName,
  timeoutMs = 30_000,
): Promise<DeadLetter[]> {
  const dlq = deadLetterTopicFor(topic);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(dlq).finally(() => admin.disconnect());
  const remaining = new Map(
    ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]),
  );
  const letters: DeadLetter[] = [];
  if (remaining.size === 0) return letters;
  const consumer = kafka.consumer({
    groupId: `coffeebuddy.dead-letters.${randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`could not read ${dlq} to its end within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {}))
              headers[name] = headerText(value);
            letters.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? '',
              value: message.value ?? Buffer.alloc(0),
              headers,
              originalTopic: headers[DEAD_LETTER_HEADERS.originalTopic] ?? topic,
              consumerGroup: headers[DEAD_LETTER_HEADERS.consumerGroup] ?? '',
              errorCode: headers[DEAD_LETTER_HEADERS.errorCode] ?? '',
              errorMessage: headers[DEAD_LETTER_HEADERS.errorMessage] ?? '',
              failedAt: headers[DEAD_LETTER_HEADERS.failedAt] ?? '',
              messageType: headers[HEADERS.messageType] ?? '',
              correlationId: headers[HEADERS.correlationId] ?? '',
            });
            const end = remaining.get(partition);
            if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(partition);
            if (remaining.size === 0) done();
          },
        })
        .catch((error: Error) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return letters.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/**
 * Puts dead letters back on the topic they came from, unchanged (same key, value, message ID and
 * correlation ID; the dead-letter headers removed), for the consumer to try again once the cause
 * is fixed. Consumers are idempotent by message ID, so re-driving one twice does no harm.
 */
export async function redriveDeadLetters(producer: MessageProducer, letters: DeadLetter[]): Promise<number> {
  const dlqHeaders = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
  for (const letter of letters) {
    const headers = Object.fromEntries(
      Object.entries(letter.headers).filter(([name]) => !dlqHeaders.has(name)),
    );
    await producer.sendRaw(letter.originalTopic as TopicName, {
      key: letter.key,
      value: letter.value,
      headers,
    });
  }
  return letters.length;
}
