// The batching producer against the real broker: coalescing, order per key, per-caller results.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  type AnyMessage,
  ContractError,
  createKafka,
  createMessage,
  createProducer,
  HEADERS,
  type MessageProducer,
  MessageRegistry,
  provisionTopics,
  TOPICS,
} from '../src';
import { capturingLogger, kafkaTestConfig, uniqueGroup, uniqueSlackId, waitFor } from '../src/testing';

const config = kafkaTestConfig();
const { logger } = capturingLogger('warn');
let kafka: Kafka;
let registry: MessageRegistry;
let producer: MessageProducer;
const batches: number[] = [];

function runCreated(channelId: string, note: string): AnyMessage {
  return createMessage(
    'run_created',
    { correlationId: `corr-${randomUUID()}`, teamId: 'T0001', channelId, userId: 'U0001' },
    { runId: randomUUID(), channelId, initiatorId: 'U0001', pickupAt: null, pickupText: null, note },
  );
}

/** Every record of run events whose key is one of `keys`, in log order per partition. */
async function readBack(keys: Set<string>, expected: number) {
  const found: { key: string; note: string; messageId: string }[] = [];
  const reader = kafka.consumer({ groupId: uniqueGroup('producer-reader'), maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topic: TOPICS.runEvents, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      if (!keys.has(key)) return;
      const decoded = (await registry.decode(message.value as Buffer)) as { payload: { note: string } };
      found.push({
        key,
        note: decoded.payload.note,
        messageId: String(message.headers?.[HEADERS.messageId] ?? ''),
      });
    },
  });
  try {
    await waitFor(() => found.length >= expected || undefined, `${expected} records read back`, 60_000);
    return found;
  } finally {
    await reader.disconnect();
  }
}

beforeAll(async () => {
  kafka = createKafka(config, 'producer-test', logger);
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  await admin.disconnect();
  registry = new MessageRegistry(config.schemaRegistryUrl);
  producer = createProducer({ kafka, registry, logger, onBatch: (n) => batches.push(n) });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
});

describe('the batching producer', () => {
  it('coalesces concurrent sends into shared produce requests and keeps each key in order', async () => {
    const keys = Array.from({ length: 4 }, () => uniqueSlackId('C'));
    const perKey = 100;
    const sent: AnyMessage[] = [];
    for (let i = 0; i < perKey; i++) {
      for (const key of keys) sent.push(runCreated(key, `n${i}`));
    }
    batches.length = 0;
    // All at once, without waiting for one another: what a busy gateway does.
    await Promise.all(sent.map((message) => producer.send(TOPICS.runEvents, message)));
    const requests = batches.length;
    expect(batches.reduce((a, b) => a + b, 0)).toBe(sent.length);
    // Fewer produce requests than messages: they were coalesced.
    expect(requests).toBeLessThan(sent.length / 4);
    expect(Math.max(...batches)).toBeGreaterThan(1);

    const found = await readBack(new Set(keys), sent.length);
    expect(found).toHaveLength(sent.length);
    for (const key of keys) {
      const notes = found.filter((r) => r.key === key).map((r) => r.note);
      expect(notes).toEqual(Array.from({ length: perKey }, (_, i) => `n${i}`));
    }
    // Each message exactly once.
    expect(new Set(found.map((r) => r.messageId)).size).toBe(sent.length);
  });

  it('never puts more than maxBatchMessages in one request', async () => {
    const seen: number[] = [];
    const small = createProducer({
      kafka,
      registry,
      logger,
      maxBatchMessages: 7,
      onBatch: (n) => seen.push(n),
    });
    await small.connect();
    try {
      const key = uniqueSlackId('C');
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => small.send(TOPICS.runEvents, runCreated(key, `m${i}`))),
      );
      expect(seen.reduce((a, b) => a + b, 0)).toBe(50);
      expect(Math.max(...seen)).toBeLessThanOrEqual(7);
      const found = await readBack(new Set([key]), 50);
      expect(found.map((r) => r.note)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    } finally {
      await small.disconnect();
    }
  });

  it("tells each caller its own message's fate: a bad one fails alone, the rest arrive", async () => {
    const key = uniqueSlackId('C');
    const good = Array.from({ length: 20 }, (_, i) => runCreated(key, `g${i}`));
    const invalid = { ...runCreated(key, 'bad'), payload: { runId: 'not-a-run' } } as unknown as AnyMessage;
    const huge = runCreated(key, 'huge');
    const results = await Promise.allSettled([
      ...good.slice(0, 10).map((m) => producer.send(TOPICS.runEvents, m)),
      producer.send(TOPICS.runEvents, invalid),
      producer.sendRaw(TOPICS.runEvents, { key, value: Buffer.alloc(2_000_000), headers: {} }),
      producer.send(TOPICS.runCommands, huge),
      ...good.slice(10).map((m) => producer.send(TOPICS.runEvents, m)),
    ]);
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [[i, r.reason]] : []));
    expect(failed.map(([i]) => i)).toEqual([10, 11, 12]);
    expect(failed.map(([, reason]) => (reason as ContractError).code)).toEqual([
      'INVALID_MESSAGE',
      'MESSAGE_TOO_LARGE',
      'TOPIC_NOT_ALLOWED',
    ]);
    expect(failed.every(([, reason]) => reason instanceof ContractError)).toBe(true);
    const found = await readBack(new Set([key]), good.length);
    expect(found.map((r) => r.note)).toEqual(good.map((m) => (m.payload as { note: string }).note));
  });

  it('rejects every caller of a produce request the broker never takes, and those queued behind it', async () => {
    const dead = createProducer({
      kafka: createKafka({ brokers: ['127.0.0.1:1'] }, 'producer-test-dead', logger),
      registry,
      logger,
      timeoutMs: 300,
    });
    const key = uniqueSlackId('C');
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => dead.send(TOPICS.runEvents, runCreated(key, `d${i}`))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(Error);
  });
});
