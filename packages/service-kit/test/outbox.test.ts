import {
  createKafka,
  createMessage,
  createProducer,
  HEADERS,
  loadKafkaConfig,
  type MessageProducer,
  MessageRegistry,
  provisionTopics,
  type ServiceName,
  syncAcls,
  TOPICS,
} from '@coffeebuddy/contracts';
import {
  capturingLogger,
  kafkaTestConfig,
  saslTestSetup,
  serviceKafkaEnv,
  startGroupAtEnd,
  uniqueGroup,
  uniqueSlackId,
  waitFor,
} from '@coffeebuddy/contracts/testing';
import { createDb, type Db } from '@coffeebuddy/db';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import { enqueueOutbox, enqueueOutboxAll, OUTBOX_MAX_ATTEMPTS, relayOutboxOnce } from '../src';

const kafkaConfig = kafkaTestConfig();
const { logger, lines: logged } = capturingLogger('info');
let database: TestDatabase;
let db: Db;
let producer: MessageProducer;
const servicePrincipalProducers = new Map<ServiceName, MessageProducer>();

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

const configChanged = (channelId: string) => {
  const settings = {
    enabled: true,
    reminderOffsetMinutes: 5,
    lastCallEnabled: false,
    fairnessWindowDays: 30,
    dataRetentionDays: 90,
  };
  return createMessage(
    'admin_config_changed',
    { correlationId: 'outbox-admin', teamId: 'T0001', channelId, userId: 'U0001' },
    { channelId, actorId: 'U0001', before: settings, after: { ...settings, enabled: false } },
  );
};

beforeAll(async () => {
  database = await createTestDatabase({ migrated: true });
  db = await createDb(database.config);
  const kafka = createKafka(kafkaConfig, 'outbox-test', logger);
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  await syncAcls(admin);
  await admin.disconnect();
  const registry = new MessageRegistry(kafkaConfig.schemaRegistryUrl);
  producer = createProducer({ kafka, registry, logger });
  await producer.connect();
  // Producers authenticated as the services themselves, on the broker's SCRAM listener (ACL.md).
  const sasl = saslTestSetup();
  for (const service of ['runs-service', 'orders-service', 'admin-service'] as const) {
    const serviceKafka = createKafka(loadKafkaConfig(serviceKafkaEnv(sasl, service)), service, logger);
    const serviceProducer = createProducer({ kafka: serviceKafka, registry, logger });
    await serviceProducer.connect();
    servicePrincipalProducers.set(service, serviceProducer);
  }
});

const producerOf = (service: ServiceName) => servicePrincipalProducers.get(service) as MessageProducer;

afterAll(async () => {
  for (const serviceProducer of servicePrincipalProducers.values()) await serviceProducer.disconnect();
  await producer?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

/**
 * Relays `owner`'s events pass after pass, as its poller does, until `expected` were published in
 * all — a produce request or registry lookup that fails for a passing reason (a broker or registry
 * still warming up on a fresh machine) is retried on the next pass — and checks it was never more.
 * A failure carries what the relay logged.
 */
async function relayUntil(owner: string, through: MessageProducer, expected: number): Promise<void> {
  let total = 0;
  try {
    await waitFor(async () => {
      total += await relayOutboxOnce(db, owner, through, logger);
      return total >= expected || undefined;
    }, `${expected} of ${owner}'s events relayed`);
  } catch (error) {
    throw new Error(
      `${(error as Error).message} (${total} were); relay log: ${JSON.stringify(logged.slice(-10))}`,
    );
  }
  expect(total).toBe(expected);
}

describe('outbox relay', () => {
  it('publishes in order, marks each event, and does not let a bad event block the rest', async () => {
    const channelId = uniqueSlackId('C');
    await db.$transaction(async (tx) => {
      await enqueueOutbox(tx, 'orders-service', TOPICS.runEvents, event(channelId, 1));
      // An event the contracts refuse (as if written by an older, laxer version).
      await tx.outboxEvent.create({
        data: {
          owner: 'orders-service',
          topic: TOPICS.runEvents,
          key: channelId,
          message: { type: 'order_cancelled', correlationId: 'bad' },
          correlationId: 'bad',
        },
      });
      await enqueueOutbox(tx, 'orders-service', TOPICS.runEvents, event(channelId, 3));
    });
    await relayUntil('orders-service', producer, 2);
    const rows = await db.outboxEvent.findMany({ where: { key: channelId }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.correlationId, r.publishedAt !== null, r.attempts])).toEqual([
      ['outbox-1', true, 0],
      ['bad', false, expect.any(Number)],
      ['outbox-3', true, 0],
    ]);
    // Each pass counts one refusal of the bad event (a passing failure is not counted).
    expect(rows[1]?.attempts).toBeGreaterThanOrEqual(1);
    expect(rows[1]?.lastError).toMatch(/invalid|correlation/i);
    // Retried until the limit, then left for an operator; nothing else is published twice.
    for (let i = 1; i < OUTBOX_MAX_ATTEMPTS; i++)
      expect(await relayOutboxOnce(db, 'orders-service', producer, logger)).toBe(0);
    const bad = await db.outboxEvent.findFirstOrThrow({ where: { key: channelId, correlationId: 'bad' } });
    expect(bad.attempts).toBe(OUTBOX_MAX_ATTEMPTS);
    expect(await relayOutboxOnce(db, 'orders-service', producer, logger)).toBe(0);
  });

  it('refuses an event its owner may not write: that relay could never publish it', async () => {
    const channelId = uniqueSlackId('C');
    await expect(
      db.$transaction((tx) => enqueueOutbox(tx, 'runs-service', TOPICS.adminEvents, event(channelId, 1))),
    ).rejects.toMatchObject({ code: 'TOPIC_NOT_ALLOWED' });
    expect(await db.outboxEvent.count({ where: { key: channelId } })).toBe(0);
  });

  it('writes several events in one go in the order given, or none when one topic is not allowed', async () => {
    const channelId = uniqueSlackId('C');
    const many = Array.from({ length: 12 }, (_, i) => ({
      topic: TOPICS.runEvents,
      message: event(channelId, i),
    }));
    await db.$transaction((tx) => enqueueOutboxAll(tx, 'orders-service', many));
    const rows = await db.outboxEvent.findMany({ where: { key: channelId }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.correlationId)).toEqual(many.map((e) => e.message.correlationId));
    await relayUntil('orders-service', producer, 12);
    expect(await db.outboxEvent.count({ where: { key: channelId, publishedAt: null } })).toBe(0);

    const other = uniqueSlackId('C');
    await expect(
      db.$transaction((tx) =>
        enqueueOutboxAll(tx, 'runs-service', [
          { topic: TOPICS.runEvents, message: event(other, 1) },
          { topic: TOPICS.adminEvents, message: event(other, 2) },
        ]),
      ),
    ).rejects.toMatchObject({ code: 'TOPIC_NOT_ALLOWED' });
    expect(await db.outboxEvent.count({ where: { key: other } })).toBe(0);
  });

  it("publishes only its owner's events, as that service's principal, keeping a channel's order", async () => {
    const channelId = uniqueSlackId('C');
    const adminChannelId = uniqueSlackId('C');
    const kafka = createKafka(kafkaConfig, 'outbox-test-reader', logger);
    const groupId = uniqueGroup('outbox-order');
    await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
    // runs-service, orders-service, runs-service write the same channel's run events, in this order.
    for (const [i, owner] of [
      [1, 'runs-service'],
      [2, 'orders-service'],
      [3, 'runs-service'],
    ] as const) {
      await db.$transaction((tx) => enqueueOutbox(tx, owner, TOPICS.runEvents, event(channelId, i)));
    }
    await db.$transaction((tx) =>
      enqueueOutbox(tx, 'admin-service', TOPICS.adminEvents, configChanged(adminChannelId)),
    );

    // runs-service's principal may not write the admin events: its producer is refused, and the
    // event stays pending with the broker's error (the reason each service relays only its own).
    expect(await relayOutboxOnce(db, 'admin-service', producerOf('runs-service'), logger)).toBe(0);
    const refused = await db.outboxEvent.findFirstOrThrow({ where: { key: adminChannelId } });
    expect([refused.publishedAt, refused.lastError]).toEqual([null, expect.stringMatching(/authoriz/i)]);

    // Event 3 waits for orders-service's earlier event 2 of the same channel.
    await relayUntil('runs-service', producerOf('runs-service'), 1);
    expect(await relayOutboxOnce(db, 'runs-service', producerOf('runs-service'), logger)).toBe(0);
    await relayUntil('orders-service', producerOf('orders-service'), 1);
    await relayUntil('runs-service', producerOf('runs-service'), 1);
    await relayUntil('admin-service', producerOf('admin-service'), 1);
    const pending = await db.outboxEvent.count({
      where: { key: { in: [channelId, adminChannelId] }, publishedAt: null },
    });
    expect(pending).toBe(0);

    const seen: string[] = [];
    const reader = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: TOPICS.runEvents });
    await reader.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === channelId)
          seen.push(message.headers?.[HEADERS.correlationId]?.toString() ?? '');
      },
    });
    try {
      await waitFor(() => seen.length >= 3 || undefined, 'the three run events');
    } finally {
      await reader.disconnect();
    }
    expect(seen).toEqual(['outbox-1', 'outbox-2', 'outbox-3']);
  });
});
