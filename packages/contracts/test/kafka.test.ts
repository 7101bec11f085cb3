import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Admin, ConfigResourceTypes, type Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import {
  type AnyMessage,
  type ContractError,
  createConsumer,
  createKafka,
  createKafkaMetrics,
  createMessage,
  createProducer,
  DEAD_LETTER_HEADERS,
  deadLetterTopicFor,
  HEADERS,
  type KafkaMetrics,
  type MessageConsumer,
  type MessageHandler,
  type MessageProducer,
  MessageRegistry,
  provisionTopics,
  SchemaCompatibilityError,
  subjectFor,
  TOPICS,
  TransientError,
  topicSpecs,
} from '../src';
import {
  capturingLogger,
  kafkaTestConfig,
  startGroupAtEnd,
  uniqueGroup,
  uniqueSlackId,
  waitFor,
} from '../src/testing';

const config = kafkaTestConfig();
const { logger, lines } = capturingLogger();
let kafka: Kafka;
let admin: Admin;
let registry: MessageRegistry;
let producer: MessageProducer;
let metrics: KafkaMetrics;
const consumers: MessageConsumer[] = [];

const runId = () => randomUUID();

function runCreated(channelId: string, correlationId = `corr-${randomUUID()}`) {
  return createMessage(
    'run_created',
    { correlationId, teamId: 'T0001', channelId, userId: 'U0001' },
    {
      runId: runId(),
      channelId,
      initiatorId: 'U0001',
      pickupAt: null,
      pickupText: '10:30',
      note: 'oat flat whites',
    },
  );
}

async function startConsumer(
  handler: MessageHandler,
  retry = { attempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
) {
  const groupId = uniqueGroup('contracts');
  await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
  const consumer = createConsumer({
    kafka,
    registry,
    producer,
    logger,
    metrics,
    groupId,
    topics: [TOPICS.runEvents],
    handler,
    retry,
  });
  consumers.push(consumer);
  await consumer.start();
  await waitFor(() => consumer.isReady(), 'consumer to join its group');
  return consumer;
}

/** Reads the dead-letter topic until a record for `channelId` (unique to one test) shows up. */
async function readDeadLetter(channelId: string) {
  const reader = kafka.consumer({ groupId: uniqueGroup('dlq-reader'), maxWaitTimeInMs: 100 });
  const found: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
  await reader.connect();
  await reader.subscribe({ topic: deadLetterTopicFor(TOPICS.runEvents), fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      if (message.key?.toString() === channelId)
        found.push({ key: channelId, value: message.value ?? Buffer.alloc(0), headers });
    },
  });
  try {
    return await waitFor(() => found[0], `a dead letter for ${channelId}`);
  } finally {
    await reader.disconnect();
  }
}

/** A topic's current value of one config entry, as the broker describes it. */
async function topicConfig(topic: string, name: string): Promise<string | undefined> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }],
  });
  return described.resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
}

beforeAll(async () => {
  kafka = createKafka(config, 'contracts-test', logger);
  admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  registry = new MessageRegistry(config.schemaRegistryUrl);
  metrics = createKafkaMetrics(new Registry());
  producer = createProducer({ kafka, registry, logger, metrics });
  await producer.connect();
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.stop().catch(() => undefined);
  await producer?.disconnect();
  await admin?.disconnect();
});

describe('topic provisioning', () => {
  it('creates every topic with its declared configuration and is a no-op the second time', async () => {
    const topics = await admin.listTopics();
    for (const spec of topicSpecs('local')) expect(topics).toContain(spec.name);
    // What the first provisioning set becomes visible to describeConfigs a moment after it returns
    // (KRaft applies it through the metadata log): wait for it before provisioning again.
    for (const spec of topicSpecs('local')) {
      for (const [name, value] of Object.entries(spec.config)) {
        await waitFor(
          async () => ((await topicConfig(spec.name, name)) === value ? true : undefined),
          `${spec.name} ${name} to be visible`,
        );
      }
    }
    const again = await provisionTopics(admin, 'local');
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.unchanged).toHaveLength(topicSpecs('local').length);
  });

  it('puts back a configuration someone changed by hand', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: TOPICS.adminEvents,
          configEntries: [{ name: 'retention.ms', value: '60000' }],
        },
      ],
    });
    // KRaft applies the change through the metadata log: the broker may still describe the old
    // value for a moment. Provision only once the hand-made change is visible.
    await waitFor(
      async () => ((await topicConfig(TOPICS.adminEvents, 'retention.ms')) === '60000' ? true : undefined),
      'the hand-made change to be visible',
    );
    const report = await provisionTopics(admin, 'local');
    expect(report.updated).toEqual([
      { topic: TOPICS.adminEvents, changes: [expect.stringMatching(/^retention\.ms 60000 → \d+/)] },
    ]);
    const spec = topicSpecs('local').find((s) => s.name === TOPICS.adminEvents);
    await waitFor(
      async () =>
        (await topicConfig(TOPICS.adminEvents, 'retention.ms')) === spec?.config['retention.ms']
          ? true
          : undefined,
      'the declared configuration to be back',
    );
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: TOPICS.adminEvents,
          configNames: ['retention.ms', 'min.insync.replicas'],
        },
      ],
    });
    const entries = Object.fromEntries(
      described.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]) ?? [],
    );
    expect(entries['retention.ms']).toBe(spec?.config['retention.ms']);
    expect(entries['min.insync.replicas']).toBe(spec?.config['min.insync.replicas']);
  });
});

describe('producing and consuming through the wrappers', () => {
  it('round-trips a message, keyed by channel, with its headers, and registers its subject', async () => {
    const channelId = uniqueSlackId('C');
    const received: AnyMessage[] = [];
    await startConsumer(async (message) => {
      if (message.channelId === channelId) received.push(message);
    });
    const sent = runCreated(channelId);
    await producer.send(TOPICS.runEvents, sent);
    const got = await waitFor(() => received[0], 'the message to be consumed');
    expect(got).toEqual(sent);

    const subjects = (await (await fetch(`${config.schemaRegistryUrl}/subjects`)).json()) as string[];
    expect(subjects).toContain(subjectFor(TOPICS.runEvents, 'run_created'));
    const handled = lines.find((l) => l.msg === 'message produced' && l.correlationId === sent.correlationId);
    expect(handled).toBeDefined();
  });

  it('refuses to produce without a correlation ID, and sends nothing', async () => {
    const message = runCreated(uniqueSlackId('C'));
    const before = await admin.fetchTopicOffsets(TOPICS.runEvents);
    await expect(producer.send(TOPICS.runEvents, { ...message, correlationId: '' })).rejects.toMatchObject({
      code: 'MISSING_CORRELATION_ID',
    });
    const { correlationId: _dropped, ...withoutId } = message;
    await expect(producer.send(TOPICS.runEvents, withoutId as AnyMessage)).rejects.toMatchObject({
      code: 'MISSING_CORRELATION_ID',
    });
    expect(await admin.fetchTopicOffsets(TOPICS.runEvents)).toEqual(before);
  });

  it('refuses an invalid payload at produce time, and a message on a topic it does not belong to', async () => {
    const message = runCreated(uniqueSlackId('C'));
    const broken = { ...message, payload: { ...message.payload, initiatorId: 'not-a-user' } } as AnyMessage;
    await expect(producer.send(TOPICS.runEvents, broken)).rejects.toThrow(
      /\/payload\/initiatorId must match pattern/,
    );
    await expect(producer.send(TOPICS.adminEvents, message)).rejects.toMatchObject({
      code: 'TOPIC_NOT_ALLOWED',
    });
  });

  it('dead-letters a message that fails validation at consume time, with its provenance, and keeps going', async () => {
    const channelId = uniqueSlackId('C');
    const handled: AnyMessage[] = [];
    await startConsumer(async (message) => {
      if (message.channelId === channelId) handled.push(message);
    });
    // A writer that skipped validation: registered schema ID, payload that breaks it.
    const good = runCreated(channelId);
    const encoded = await registry.encode(TOPICS.runEvents, 'run_created', good);
    const tampered = Buffer.concat([
      encoded.subarray(0, 5),
      Buffer.from(JSON.stringify({ ...good, payload: { ...good.payload, runId: 42 } })),
    ]);
    await producer.sendRaw(TOPICS.runEvents, {
      key: channelId,
      value: tampered,
      headers: { [HEADERS.correlationId]: good.correlationId },
    });
    const follower = runCreated(channelId);
    await producer.send(TOPICS.runEvents, follower);

    const dead = await readDeadLetter(channelId);
    expect(dead.value.equals(tampered)).toBe(true);
    expect(dead.headers[DEAD_LETTER_HEADERS.originalTopic]).toBe(TOPICS.runEvents);
    expect(dead.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('INVALID_MESSAGE');
    expect(dead.headers[DEAD_LETTER_HEADERS.originalOffset]).toMatch(/^\d+$/);
    expect(dead.headers[DEAD_LETTER_HEADERS.originalPartition]).toMatch(/^\d+$/);
    expect(dead.headers[HEADERS.correlationId]).toBe(good.correlationId);
    // The partition kept flowing: the next message was handled.
    await waitFor(() => handled.find((m) => m.messageId === follower.messageId), 'the following message');
    expect(handled.map((m) => m.messageId)).toEqual([follower.messageId]);
  });

  it('retries a failing handler with backoff and processes the message once it succeeds', async () => {
    const channelId = uniqueSlackId('C');
    let calls = 0;
    const effects: string[] = [];
    await startConsumer(async (message) => {
      if (message.channelId !== channelId) return;
      calls++;
      if (calls <= 2) throw new Error(`transient failure ${calls}`);
      effects.push(message.messageId);
    });
    const sent = runCreated(channelId);
    await producer.send(TOPICS.runEvents, sent);
    await waitFor(() => effects[0], 'the effect');
    expect(calls).toBe(3);
    expect(effects).toEqual([sent.messageId]);
  });

  it('waits out a dependency that is down instead of dead-lettering, however many retries it takes', async () => {
    const channelId = uniqueSlackId('C');
    let calls = 0;
    const effects: string[] = [];
    await startConsumer(async (message) => {
      if (message.channelId !== channelId) return;
      calls++;
      // More failures than the retry budget (3), but transient: the database is "down".
      if (calls <= 6) throw new TransientError(`database unreachable (${calls})`);
      effects.push(message.messageId);
    });
    const sent = runCreated(channelId);
    await producer.send(TOPICS.runEvents, sent);
    await waitFor(() => effects[0], 'the effect after the outage', 30_000);
    expect(calls).toBe(7);
    expect(
      lines.some(
        (l) =>
          l.msg === 'handler kept failing, sending the message to the dead-letter topic' &&
          l.messageId === sent.messageId,
      ),
    ).toBe(false);
  });

  it('dead-letters a message whose schema ID the registry does not know, and keeps going', async () => {
    const channelId = uniqueSlackId('C');
    const handled: string[] = [];
    await startConsumer(async (message) => {
      if (message.channelId === channelId) handled.push(message.messageId);
    });
    const unknownId = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from('{}')]);
    await producer.sendRaw(TOPICS.runEvents, { key: channelId, value: unknownId, headers: {} });
    const next = runCreated(channelId);
    await producer.send(TOPICS.runEvents, next);
    const dead = await readDeadLetter(channelId);
    expect(dead.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('UNDECODABLE_MESSAGE');
    await waitFor(() => handled.find((id) => id === next.messageId), 'the next message');
  });

  it('dead-letters a message whose handler always fails, and the partition keeps flowing', async () => {
    const channelId = uniqueSlackId('C');
    const handled: string[] = [];
    const poison = runCreated(channelId);
    await startConsumer(async (message) => {
      if (message.channelId !== channelId) return;
      if (message.messageId === poison.messageId) throw new Error('cannot handle this one');
      handled.push(message.messageId);
    });
    const next = runCreated(channelId);
    await producer.send(TOPICS.runEvents, poison);
    await producer.send(TOPICS.runEvents, next);
    const dead = await readDeadLetter(channelId);
    expect(dead.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('HANDLER_FAILED');
    expect(dead.headers[DEAD_LETTER_HEADERS.errorMessage]).toBe('cannot handle this one');
    expect(dead.headers[DEAD_LETTER_HEADERS.attempts]).toBe('3');
    expect(dead.headers[HEADERS.messageId]).toBe(poison.messageId);
    await waitFor(() => handled.includes(next.messageId) || undefined, 'the next message');
    expect(handled).toEqual([next.messageId]);
    const deadLettered = await metrics.deadLettered.get();
    expect(deadLettered.values.some((v) => v.labels.reason === 'HANDLER_FAILED' && v.value >= 1)).toBe(true);
  });
});

describe('schema registry', () => {
  it('rejects an incompatible change to a registered schema with a clear error', async () => {
    const subject = `compat-check-${randomUUID()}`;
    const v1 = {
      type: 'object',
      properties: { runId: { type: 'string' }, note: { type: 'string' } },
      required: ['runId'],
    };
    const id = await registry.register(subject, v1);
    expect(id).toBeGreaterThan(0);
    // Registering the same schema again is idempotent.
    expect(await registry.register(subject, v1)).toBe(id);
    const v2 = { ...v1, properties: { ...v1.properties, runId: { type: 'integer' } } };
    const error = await registry.register(subject, v2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaCompatibilityError);
    expect((error as ContractError).code).toBe('SCHEMA_INCOMPATIBLE');
    expect((error as Error).message).toMatch(new RegExp(`schema for ${subject} is not backward compatible`));
  });

  it('registers every message schema of the catalog', async () => {
    const ids = await registry.registerAll();
    const subjects = (await (await fetch(`${config.schemaRegistryUrl}/subjects`)).json()) as string[];
    for (const subject of ids.keys()) expect(subjects).toContain(subject);
  });
});

describe("Apache Kafka's own tools", () => {
  it('read a message produced through the wrappers with the console consumer', async () => {
    const channelId = uniqueSlackId('C');
    const sent = runCreated(channelId);
    const before = await admin.fetchTopicOffsets(TOPICS.runEvents);
    await producer.send(TOPICS.runEvents, sent);
    const after = await admin.fetchTopicOffsets(TOPICS.runEvents);
    const moved = after.find((p) => p.high !== before.find((b) => b.partition === p.partition)?.high);
    expect(moved).toBeDefined();
    const script = path.resolve(__dirname, '..', '..', '..', 'infra', 'local', 'kafka.sh');
    const result = spawnSync(
      'bash',
      [
        script,
        'console-consumer',
        TOPICS.runEvents,
        '--partition',
        String(moved?.partition),
        '--offset',
        String(Number(moved?.high) - 1),
        '--max-messages',
        '1',
        '--property',
        'print.headers=true',
        '--property',
        'print.key=true',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(channelId);
    expect(result.stdout).toContain(`${HEADERS.correlationId}:${sent.correlationId}`);
    expect(result.stdout).toContain(`"messageId":"${sent.messageId}"`);
  });
});
