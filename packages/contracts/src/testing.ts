import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Kafka } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { type KafkaConfig, loadKafkaConfig } from './kafka';

/**
 * Test support for packages whose tests need the real broker and registry (started by
 * infra/local/up.sh; `pnpm test:all` exports their addresses).
 */

export function kafkaTestConfig(): KafkaConfig {
  if (!process.env.KAFKA_BROKERS || !process.env.SCHEMA_REGISTRY_URL) {
    throw new Error(
      'KAFKA_BROKERS and SCHEMA_REGISTRY_URL are not set. Integration tests need the real Kafka broker and ' +
        'schema registry: run them through `pnpm test:all` (which starts the local infrastructure) or export both.',
    );
  }
  return loadKafkaConfig(process.env);
}

/** A consumer group name no earlier test used. */
export const uniqueGroup = (name: string): string => `test.${name}.${randomUUID().slice(0, 8)}`;

/**
 * Commits a new group's offsets at the current end of its topics, so its consumers see only
 * messages produced from now on. (kafkajs' admin.setOffsets does the same but waits out a
 * full 5 s fetch; a short-lived member of the group with a short fetch wait is faster.)
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  const member = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  await admin.connect();
  try {
    await member.connect();
    let joined = false;
    member.on(member.events.GROUP_JOIN, () => {
      joined = true;
    });
    for (const topic of topics) await member.subscribe({ topic, fromBeginning: false });
    await member.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await waitFor(() => joined || undefined, `${groupId} to join`);
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await member.commitOffsets(ends.map((e) => ({ topic, partition: e.partition, offset: e.high })));
    }
  } finally {
    await member.disconnect();
    await admin.disconnect();
  }
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A pino logger whose JSON lines are kept for assertions. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

/** A Slack-looking ID unique to a test, so tests never see each other's messages. */
export const uniqueSlackId = (prefix: 'C' | 'U' | 'T'): string =>
  `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
