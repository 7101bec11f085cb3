// Produce → consume latency on the running broker, through the contracts wrappers (validation,
// schema registry encoding, idempotent acks=all producer, manual-commit consumer) and, in the
// same run, through bare kafkajs (JSON, no validation, auto-commit) as the peer to compare with.
//
//   pnpm --filter @coffeebuddy/contracts bench:latency [messages=1000] [ratePerSecond=200]
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import {
  createConsumer,
  createKafka,
  createMessage,
  createProducer,
  MessageRegistry,
  provisionTopics,
  TOPICS,
} from '../src';
import { kafkaTestConfig, startGroupAtEnd, uniqueGroup, waitFor } from '../src/testing';

const total = Number(process.argv[2] ?? 1000);
const rate = Number(process.argv[3] ?? 200);
const config = kafkaTestConfig();
const logger = pino({ level: 'error' });
const kafka = createKafka(config, 'bench', logger);

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] ?? NaN };
}

/** Sends `total` messages at `rate`/s with `send(i)`; returns per-message latency (ms) and throughput. */
async function drive(send: (i: number) => Promise<void>, received: Map<number, number>) {
  // Warm-up (schema lookups, connections, JIT), not measured: negative indexes.
  for (let i = -20; i < 0; i++) await send(i);
  await waitFor(() => (received.size >= 20 ? true : undefined), 'warm-up messages');
  received.clear();
  const sentAt = new Map<number, number>();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sentAt.set(i, performance.now());
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
  await waitFor(() => (received.size >= total ? true : undefined), `${total} messages`, 120_000);
  const elapsed = (Math.max(...received.values()) - started) / 1000;
  const latencies = [...received.entries()].map(([i, at]) => at - (sentAt.get(i) ?? at));
  return { ...percentiles(latencies), throughput: total / elapsed };
}

async function wrappers() {
  const registry = new MessageRegistry(config.schemaRegistryUrl);
  const producer = createProducer({ kafka, registry, logger });
  await producer.connect();
  const received = new Map<number, number>();
  const ids = new Map<string, number>();
  const groupId = uniqueGroup('bench-wrappers');
  await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
  const consumer = createConsumer({
    kafka,
    registry,
    producer,
    logger,
    groupId,
    topics: [TOPICS.runEvents],
    handler: async (message) => {
      const i = ids.get(message.messageId);
      if (i !== undefined) received.set(i, performance.now());
    },
  });
  await consumer.start();
  await waitFor(() => consumer.isReady() || undefined, 'consumer');
  const result = await drive(async (i) => {
    const channelId = `C${String(Math.abs(i) % 50).padStart(4, '0')}BENCH`;
    const message = createMessage(
      'order_cancelled',
      { correlationId: `bench-${i}`, teamId: 'T0001', channelId, userId: 'U0001' },
      { runId: randomUUID(), orderId: randomUUID(), userId: 'U0001' },
    );
    ids.set(message.messageId, i);
    await producer.send(TOPICS.runEvents, message);
  }, received);
  await consumer.stop();
  await producer.disconnect();
  return result;
}

async function bareKafkajs() {
  const producer = kafka.producer();
  await producer.connect();
  const received = new Map<number, number>();
  const groupId = uniqueGroup('bench-bare');
  await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.runEvents });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const body = JSON.parse(message.value?.toString() ?? '{}') as { bench?: number };
      if (typeof body.bench === 'number') received.set(body.bench, performance.now());
    },
  });
  const result = await drive(async (i) => {
    await producer.send({
      topic: TOPICS.runEvents,
      messages: [
        { key: `C${String(Math.abs(i) % 50).padStart(4, '0')}BENCH`, value: JSON.stringify({ bench: i }) },
      ],
    });
  }, received);
  await consumer.disconnect();
  await producer.disconnect();
  return result;
}

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  await admin.disconnect();
  console.log(
    `produce → consume latency, ${total} messages at ${rate}/s, broker ${config.brokers.join(',')}`,
  );
  const fmt = (r: Awaited<ReturnType<typeof wrappers>>) =>
    `p50 ${r.p50.toFixed(1)} ms  p90 ${r.p90.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  max ${r.max.toFixed(1)} ms  ${r.throughput.toFixed(0)} msg/s`;
  const ours = await wrappers();
  console.log(`contracts wrappers: ${fmt(ours)}`);
  const bare = await bareKafkajs();
  console.log(`bare kafkajs:       ${fmt(bare)}`);
  console.log(
    `ratio wrappers/bare: p50 ${(ours.p50 / bare.p50).toFixed(2)}×  p99 ${(ours.p99 / bare.p99).toFixed(2)}×`,
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
