import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Kafka } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { principalFor, type ServiceName } from './acl';
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

/** The local broker's authenticated listeners and its service principals' SCRAM passwords. */
export interface SaslTestSetup {
  /** SASL_PLAINTEXT (SCRAM) listener, host:port. */
  brokers: string;
  /** SASL_SSL (SCRAM over TLS) listener, host:port. */
  sslBrokers: string;
  /** PEM of the CA that signed the SSL listener's certificate. */
  caFile: string;
  /** SCRAM password per user name (`coffeebuddy-<service>`). */
  passwords: Map<string, string>;
}

/**
 * Reads what infra/local/kafka.sh exports through .local/env (COFFEEBUDDY_KAFKA_SASL_BROKERS,
 * _SASL_SSL_BROKERS, _SCRAM_USERS, _CA_FILE). Throws, saying what is missing, when the tests
 * run against a broker without them (an external KAFKA_BROKERS).
 */
export function saslTestSetup(): SaslTestSetup {
  const env = process.env;
  const brokers = env.COFFEEBUDDY_KAFKA_SASL_BROKERS;
  const sslBrokers = env.COFFEEBUDDY_KAFKA_SASL_SSL_BROKERS;
  const usersFile = env.COFFEEBUDDY_KAFKA_SCRAM_USERS;
  const caFile = env.COFFEEBUDDY_KAFKA_CA_FILE;
  if (!brokers || !sslBrokers || !usersFile || !caFile) {
    throw new Error(
      "The Kafka ACL tests need the local broker's SCRAM listeners: COFFEEBUDDY_KAFKA_SASL_BROKERS, " +
        '_SASL_SSL_BROKERS, _SCRAM_USERS and _CA_FILE are written to .local/env by infra/local/up.sh ' +
        '(`bash infra/local/kafka.sh sasl-env`); run the tests through `pnpm test:all`.',
    );
  }
  const passwords = new Map<string, string>();
  for (const line of readFileSync(usersFile, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) passwords.set(line.slice(0, at), line.slice(at + 1));
  }
  return { brokers, sslBrokers, caFile, passwords };
}

/**
 * The environment a service's process gets to authenticate as its own principal on the local
 * broker's SCRAM listener (TLS one with `ssl`), as the Helm charts set it in a cluster.
 */
export function serviceKafkaEnv(
  setup: SaslTestSetup,
  service: ServiceName,
  options: { mechanism?: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; ssl?: boolean } = {},
): Record<string, string> {
  const username = principalFor(service).replace(/^User:/, '');
  const password = setup.passwords.get(username);
  if (password === undefined)
    throw new Error(
      `no SCRAM user ${username} on the local broker: add it to SCRAM_USERS in infra/local/kafka.sh`,
    );
  return {
    KAFKA_BROKERS: options.ssl ? setup.sslBrokers : setup.brokers,
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? '',
    KAFKA_SASL_MECHANISM: options.mechanism ?? 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
    ...(options.ssl ? { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: setup.caFile } : {}),
  };
}
