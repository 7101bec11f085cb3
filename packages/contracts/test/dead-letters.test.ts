import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  type AnyMessage,
  createConsumer,
  createKafka,
  createMessage,
  createProducer,
  type MessageConsumer,
  type MessageProducer,
  MessageRegistry,
  provisionTopics,
  readDeadLetters,
  redriveDeadLetters,
  TOPICS,
} from '../src';
import {
  capturingLogger,
  kafkaTestConfig,
  startGroupAtEnd,
  uniqueGroup,
  uniqueSlackId,
  waitFor,
} from '../src/testing';

/** Listing and re-driving dead letters, on the real broker: a poison-for-now message, fixed, handled. */

const config = kafkaTestConfig();
const { logger } = capturingLogger('warn');
let kafka: Kafka;
let producer: MessageProducer;
const registry = new MessageRegistry(config.schemaRegistryUrl);
const consumers: MessageConsumer[] = [];

beforeAll(async () => {
  kafka = createKafka(config, 'dead-letters-test', logger);
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  await admin.disconnect();
  producer = createProducer({ kafka, registry, logger });
  await producer.connect();
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.stop().catch(() => undefined);
  await producer?.disconnect();
});

async function consume(groupId: string, handler: (message: AnyMessage) => Promise<void>) {
  const consumer = createConsumer({
    kafka,
    registry,
    producer,
    logger,
    groupId,
    topics: [TOPICS.runEvents],
    handler,
    retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
  });
  consumers.push(consumer);
  await consumer.start();
  await waitFor(() => consumer.isReady(), 'the consumer to join');
  return consumer;
}

describe('dead letters', () => {
  it('lists a dead letter with why, and re-drives it to its topic unchanged once the cause is fixed', async () => {
    const channelId = uniqueSlackId('C');
    const correlationId = `corr-${randomUUID()}`;
    const message = createMessage(
      'run_created',
      { correlationId, teamId: 'T0001', channelId, userId: 'U0001' },
      { runId: randomUUID(), channelId, initiatorId: 'U0001', pickupAt: null, pickupText: null, note: null },
    );
    const groupId = uniqueGroup('dead-letters');
    await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
    let fixed = false;
    const handled: string[] = [];
    const consumer = await consume(groupId, async (m) => {
      if (m.channelId !== channelId) return;
      if (!fixed) throw new Error('the handler has a bug for this message');
      handled.push(m.messageId);
    });
    await producer.send(TOPICS.runEvents, message);

    const letter = await waitFor(
      async () => {
        const letters = await readDeadLetters(kafka, TOPICS.runEvents);
        return letters.find((l) => l.correlationId === correlationId);
      },
      'the dead letter',
      30_000,
    );
    expect(letter).toMatchObject({
      originalTopic: TOPICS.runEvents,
      consumerGroup: groupId,
      errorCode: 'HANDLER_FAILED',
      errorMessage: 'the handler has a bug for this message',
      messageType: 'run_created',
      key: channelId,
    });

    fixed = true;
    expect(await redriveDeadLetters(producer, [letter])).toBe(1);
    await waitFor(() => handled.length === 1 || undefined, 'the re-driven message to be handled', 30_000);
    expect(handled).toEqual([message.messageId]);
    await consumer.stop();
  });
});
