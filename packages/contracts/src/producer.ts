import { type Kafka, type Producer as KafkaProducer, Partitioners } from 'kafkajs';
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
  /** Validates, encodes through the registry and sends; resolves once all in-sync replicas have it. */
  send(topic: TopicName, message: AnyMessage): Promise<void>;
  /** Sends already-encoded bytes (dead letters, the outbox relay). */
  sendRaw(topic: AnyTopicName, record: RawRecord): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  kafka: Kafka;
  registry: MessageRegistry;
  logger: Logger;
  metrics?: KafkaMetrics;
  /** How long one send may wait for the broker before it fails. */
  timeoutMs?: number;
}

/** An idempotent producer (acks=all, one in-flight request, no auto topic creation). */
export function createProducer(options: ProducerOptions): MessageProducer {
  const { kafka, registry, logger, metrics } = options;
  const timeout = options.timeoutMs ?? 10_000;
  const producer: KafkaProducer = kafka.producer({
    // Java-client-compatible murmur2 partitioning: a channel's key lands where Java tools expect.
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  producer.on(producer.events.CONNECT, () => metrics?.connected.set({ client: 'producer' }, 1));
  producer.on(producer.events.DISCONNECT, () => metrics?.connected.set({ client: 'producer' }, 0));

  async function sendRaw(topic: AnyTopicName, record: RawRecord): Promise<void> {
    await producer.send({
      topic,
      acks: -1,
      timeout,
      messages: [{ key: record.key, value: record.value, headers: record.headers }],
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
      const value = await registry.encode(topic, message.type, message);
      await sendRaw(topic, {
        key: message.channelId,
        value,
        headers: {
          [HEADERS.messageId]: message.messageId,
          [HEADERS.messageType]: message.type,
          [HEADERS.schemaVersion]: String(message.schemaVersion),
          [HEADERS.correlationId]: message.correlationId,
        },
      });
      metrics?.produced.inc({ topic, type: message.type });
      logger.debug(
        { correlationId: message.correlationId, topic, type: message.type, messageId: message.messageId },
        'message produced',
      );
    },
    sendRaw,
    disconnect: () => producer.disconnect(),
  };
}
