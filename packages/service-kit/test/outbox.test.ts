import {
  createKafka,
  createMessage,
  createProducer,
  type MessageProducer,
  MessageRegistry,
  provisionTopics,
  TOPICS,
} from '@coffeebuddy/contracts';
import { capturingLogger, kafkaTestConfig, uniqueSlackId } from '@coffeebuddy/contracts/testing';
import { createDb, type Db } from '@coffeebuddy/db';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import { enqueueOutbox, OUTBOX_MAX_ATTEMPTS, relayOutboxOnce } from '../src';

const kafkaConfig = kafkaTestConfig();
const { logger } = capturingLogger('info');
let database: TestDatabase;
let db: Db;
let producer: MessageProducer;

const event = (channelId: string, i: number) =>
  createMessage(
    'order_cancelled',
    { correlationId: `outbox-${i}`, teamId: 'T0001', channelId, userId: 'U0001' },
    {
      runId: '7d3c1a2b-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      orderId: '7d3c1a2b-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      userId: 'U0001',
    },
  );

beforeAll(async () => {
  database = await createTestDatabase({ migrated: true });
  db = await createDb(database.config);
  const kafka = createKafka(kafkaConfig, 'outbox-test', logger);
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  await admin.disconnect();
  producer = createProducer({ kafka, registry: new MessageRegistry(kafkaConfig.schemaRegistryUrl), logger });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

describe('outbox relay', () => {
  it('publishes in order, marks each event, and does not let a bad event block the rest', async () => {
    const channelId = uniqueSlackId('C');
    await db.$transaction(async (tx) => {
      await enqueueOutbox(tx, TOPICS.runEvents, event(channelId, 1));
      // An event the contracts refuse (as if written by an older, laxer version).
      await tx.outboxEvent.create({
        data: {
          topic: TOPICS.runEvents,
          key: channelId,
          message: { type: 'order_cancelled', correlationId: 'bad' },
          correlationId: 'bad',
        },
      });
      await enqueueOutbox(tx, TOPICS.runEvents, event(channelId, 3));
    });
    expect(await relayOutboxOnce(db, producer, logger)).toBe(2);
    const rows = await db.outboxEvent.findMany({ where: { key: channelId }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.correlationId, r.publishedAt !== null, r.attempts])).toEqual([
      ['outbox-1', true, 0],
      ['bad', false, 1],
      ['outbox-3', true, 0],
    ]);
    expect(rows[1]?.lastError).toMatch(/invalid|correlation/i);
    // Retried until the limit, then left for an operator; nothing else is published twice.
    for (let i = 1; i < OUTBOX_MAX_ATTEMPTS; i++) await relayOutboxOnce(db, producer, logger);
    const bad = await db.outboxEvent.findFirstOrThrow({ where: { key: channelId, correlationId: 'bad' } });
    expect(bad.attempts).toBe(OUTBOX_MAX_ATTEMPTS);
    expect(await relayOutboxOnce(db, producer, logger)).toBe(0);
  });
});
