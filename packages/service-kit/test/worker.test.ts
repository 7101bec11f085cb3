import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  type AnyMessage,
  createKafka,
  createMessage,
  createProducer,
  type MessageProducer,
  MessageRegistry,
  provisionTopics,
  TOPICS,
} from '@coffeebuddy/contracts';
import {
  capturingLogger,
  kafkaTestConfig,
  startGroupAtEnd,
  uniqueGroup,
  uniqueSlackId,
  waitFor,
} from '@coffeebuddy/contracts/testing';
import { createDb, type Db, processMessageOnce } from '@coffeebuddy/db';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import type { Admin, Kafka } from 'kafkajs';
import { createMetricsRegistry, startWorker, type Worker } from '../src';

const kafkaConfig = kafkaTestConfig();
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const { logger, lines } = capturingLogger('info');
let database: TestDatabase;
let db: Db;
let kafka: Kafka;
let admin: Admin;
let producer: MessageProducer;
const registry = new MessageRegistry(kafkaConfig.schemaRegistryUrl);
const workers: Worker[] = [];

function runCreated(channelId: string): AnyMessage {
  return createMessage(
    'run_created',
    { correlationId: `corr-${channelId}`, teamId: 'T0001', channelId, userId: 'U0001' },
    {
      runId: '7d3c1a2b-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      channelId,
      initiatorId: 'U0001',
      pickupAt: null,
      pickupText: null,
      note: null,
    },
  );
}

async function effectCount(channelId: string): Promise<number> {
  return db.channelAdminAction.count({ where: { channelId, action: 'test_effect' } });
}

async function newChannel(): Promise<string> {
  const channelId = uniqueSlackId('C');
  await db.channel.create({ data: { id: channelId, teamId: 'T0001' } });
  return channelId;
}

/** Records one effect row per message, exactly once, failing the first `failures` attempts. */
function recordingWorker(
  groupId: string,
  options: {
    failures?: number;
    delayMs?: number;
    started?: () => void;
    /** The first attempt stalls this long before doing anything (past a short handler timeout). */
    stallFirstMs?: number;
    handlerTimeoutMs?: number;
    /** Called when a handler run ends, however it ended (a stalled one included). */
    finished?: () => void;
  } = {},
) {
  let attempts = 0;
  let calls = 0;
  return startWorker({
    service: 'test-worker',
    logger,
    metricsRegistry: createMetricsRegistry('test-worker'),
    kafka,
    messageRegistry: registry,
    ops: { host: '127.0.0.1', port: 0 },
    shutdownTimeoutMs: 15_000,
    lagIntervalMs: 200,
    checks: [{ name: 'database', check: async () => (await db.$queryRaw`SELECT 1`) !== undefined }],
    consumers: [
      {
        groupId,
        topics: [TOPICS.runEvents],
        retry: { attempts: 5, initialDelayMs: 20, maxDelayMs: 100 },
        ...(options.handlerTimeoutMs ? { handlerTimeoutMs: options.handlerTimeoutMs } : {}),
        handler: async (message, context) => {
          options.started?.();
          if (calls++ === 0 && options.stallFirstMs) {
            await new Promise((resolve) => setTimeout(resolve, options.stallFirstMs));
          }
          const outcome = await processMessageOnce(
            db,
            { ...context, messageId: message.messageId },
            async (tx) => {
              await tx.channelAdminAction.create({
                data: {
                  channelId: message.channelId,
                  actorId: 'U0001',
                  action: 'test_effect',
                  correlationId: message.messageId,
                },
              });
              if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
              attempts++;
              if (attempts <= (options.failures ?? 0)) throw new Error(`transient failure ${attempts}`);
            },
          );
          context.logger.info('effect recorded');
          options.finished?.();
          return outcome;
        },
      },
    ],
  }).then((worker) => {
    workers.push(worker);
    return worker;
  });
}

async function committedOffset(groupId: string, partition: number): Promise<number> {
  const [topic] = await admin.fetchOffsets({ groupId, topics: [TOPICS.runEvents] });
  return Number(topic?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
}

/** Sends a message and returns the partition and offset it landed at. */
async function sendAndLocate(message: AnyMessage): Promise<{ partition: number; offset: number }> {
  const before = await admin.fetchTopicOffsets(TOPICS.runEvents);
  await producer.send(TOPICS.runEvents, message);
  const after = await admin.fetchTopicOffsets(TOPICS.runEvents);
  const moved = after.find((p) => p.high !== before.find((b) => b.partition === p.partition)?.high);
  if (!moved) throw new Error('message did not land');
  return { partition: moved.partition, offset: Number(moved.high) - 1 };
}

async function groupIsStable(groupId: string): Promise<boolean | undefined> {
  const { groups } = await admin.describeGroups([groupId]);
  return groups[0]?.state === 'Stable' && groups[0].members.length > 0 ? true : undefined;
}

function spawnEffectWorker(groupId: string, crash: boolean): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'fixtures', 'effect-worker.ts')],
    {
      cwd: path.join(__dirname, '..'),
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        GROUP_ID: groupId,
        CRASH_AFTER_EFFECT: crash ? '1' : '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

beforeAll(async () => {
  database = await createTestDatabase({ migrated: true });
  db = await createDb(database.config);
  kafka = createKafka(kafkaConfig, 'service-kit-test', logger);
  admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  producer = createProducer({ kafka, registry, logger });
  await producer.connect();
});

afterEach(async () => {
  // Every test's worker leaves before the next test, so no group sees another test's messages.
  for (const worker of workers.splice(0)) await worker.stop().catch(() => undefined);
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

describe('worker harness on the real broker and database', () => {
  it('retries a failing handler and applies its effect exactly once', async () => {
    const channelId = await newChannel();
    const groupId = uniqueGroup('retry');
    await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
    await recordingWorker(groupId, { failures: 2 });
    await waitFor(() => groupIsStable(groupId), 'the group to be stable');
    const { partition, offset } = await sendAndLocate(runCreated(channelId));
    await waitFor(
      async () => ((await committedOffset(groupId, partition)) === offset + 1 ? true : undefined),
      'the commit',
    );
    expect(await effectCount(channelId)).toBe(1);
  });

  it('retries a handler attempt that outlives its deadline instead of losing the partition, and applies the effect once', async () => {
    const channelId = await newChannel();
    const groupId = uniqueGroup('deadline');
    await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
    let finished = 0;
    await recordingWorker(groupId, {
      stallFirstMs: 2_000,
      handlerTimeoutMs: 300,
      finished: () => {
        finished++;
      },
    });
    await waitFor(() => groupIsStable(groupId), 'the group to be stable');
    const { partition, offset } = await sendAndLocate(runCreated(channelId));
    await waitFor(
      async () => ((await committedOffset(groupId, partition)) === offset + 1 ? true : undefined),
      'the commit',
    );
    expect(
      lines.some((l) => l.msg === 'handler failed, retrying' && String(l.err).includes('within 300 ms')),
    ).toBe(true);
    // The stalled first attempt finishes later and finds the message already processed.
    await waitFor(() => finished === 2 || undefined, 'the stalled attempt to finish');
    expect(await effectCount(channelId)).toBe(1);
  });

  it('never repeats an effect when the same message is delivered twice', async () => {
    const channelId = await newChannel();
    const groupId = uniqueGroup('redelivery');
    await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
    const worker = await recordingWorker(groupId);
    await waitFor(() => groupIsStable(groupId), 'the group to be stable');
    const message = runCreated(channelId);
    await sendAndLocate(message);
    const { partition, offset } = await sendAndLocate(message); // a producer retry / replay
    await waitFor(
      async () => ((await committedOffset(groupId, partition)) === offset + 1 ? true : undefined),
      'the commit',
    );
    expect(await effectCount(channelId)).toBe(1);
    const processed = await worker.metrics.processed.get();
    expect(processed.values.find((v) => v.labels.group === groupId)?.value).toBe(2);
    const duplicates = await worker.metrics.duplicates.get();
    expect(duplicates.values.find((v) => v.labels.group === groupId)?.value).toBe(1);
  });

  it('redelivers, without repeating the effect, a message whose consumer was killed after the effect and before the commit', async () => {
    const channelId = await newChannel();
    const groupId = uniqueGroup('killed');
    await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
    const child = spawnEffectWorker(groupId, true);
    const exit = exited(child);
    await waitFor(() => groupIsStable(groupId), 'the crashing worker to join', 30_000);
    const { partition, offset } = await sendAndLocate(runCreated(channelId));
    expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await effectCount(channelId)).toBe(1);
    expect(await committedOffset(groupId, partition)).toBeLessThanOrEqual(offset);

    // A new member of the group gets the message again; the effect is not repeated.
    await recordingWorker(groupId);
    await waitFor(
      async () => ((await committedOffset(groupId, partition)) === offset + 1 ? true : undefined),
      'the commit',
      60_000,
    );
    expect(await effectCount(channelId)).toBe(1);
  });

  it('finishes and commits the in-flight message on shutdown, and says not ready meanwhile', async () => {
    const channelId = await newChannel();
    const groupId = uniqueGroup('shutdown');
    await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
    let handlerStarted = false;
    const worker = await recordingWorker(groupId, {
      delayMs: 1_500,
      started: () => {
        handlerStarted = true;
      },
    });
    await waitFor(() => groupIsStable(groupId), 'the group to be stable');
    expect((await fetch(`${worker.opsUrl}/readyz`)).status).toBe(200);
    const { partition, offset } = await sendAndLocate(runCreated(channelId));
    await waitFor(() => handlerStarted || undefined, 'the handler to start');
    const stopping = worker.stop('test');
    const ready = await worker.ops.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    await stopping;
    expect(await effectCount(channelId)).toBe(1);
    expect(await committedOffset(groupId, partition)).toBe(offset + 1);
  });

  it('runs a flushing poller once more at shutdown, not one that says finalRun: false, and tells a long run to stop', async () => {
    const runs = { flush: 0, sweep: 0 };
    let sweepSawStopping = false;
    let sweepStarted = false;
    const worker = await startWorker({
      service: 'test-pollers',
      logger,
      metricsRegistry: createMetricsRegistry('test-pollers'),
      kafka,
      messageRegistry: registry,
      ops: { host: '127.0.0.1', port: 0 },
      shutdownTimeoutMs: 15_000,
      consumers: [],
      pollers: [
        { name: 'flush', intervalMs: 60_000, run: async () => void runs.flush++ },
        {
          name: 'sweep',
          intervalMs: 60_000,
          finalRun: false,
          run: async (_log, { stopping }) => {
            runs.sweep++;
            sweepStarted = true;
            // A long sweep: batch after batch until the worker says it is stopping.
            await waitFor(() => stopping() || undefined, 'the stop', 10_000);
            sweepSawStopping = true;
          },
        },
      ],
    });
    await waitFor(() => (sweepStarted && runs.flush === 1) || undefined, 'the first runs');
    await worker.stop('test');
    expect(sweepSawStopping).toBe(true);
    expect(runs).toEqual({ flush: 2, sweep: 1 });
  });

  it('runs a poller again right after a run it was woken during, not at its interval', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const firstRun = new Promise<void>((resolve) => {
      release = resolve;
    });
    const worker = await startWorker({
      service: 'test-wake',
      logger,
      metricsRegistry: createMetricsRegistry('test-wake'),
      kafka,
      messageRegistry: registry,
      ops: { host: '127.0.0.1', port: 0 },
      consumers: [],
      pollers: [
        {
          name: 'relay',
          intervalMs: 600_000,
          run: async () => {
            runs++;
            if (runs === 1) await firstRun;
          },
        },
      ],
    });
    try {
      await waitFor(() => runs === 1 || undefined, 'the first run');
      // Work committed while the first run is past looking for it: the wake must not be lost.
      worker.wake('relay');
      release();
      await waitFor(() => runs === 2 || undefined, 'a second run, long before the 10-minute interval');
      // Idle again: a wake now starts a run at once too.
      worker.wake('relay');
      await waitFor(() => runs === 3 || undefined, 'a third run on the next wake');
    } finally {
      await worker.stop('test');
    }
  });

  it('exits 0 on SIGTERM after a graceful stop', async () => {
    const groupId = uniqueGroup('sigterm');
    const child = spawnEffectWorker(groupId, false);
    const exit = exited(child);
    await waitFor(() => groupIsStable(groupId), 'the worker to join', 30_000);
    child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
  });

  it('serves /healthz and Prometheus metrics that promtool accepts, and logs with the correlation ID', async () => {
    const channelId = await newChannel();
    const groupId = uniqueGroup('metrics');
    await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
    const worker = await recordingWorker(groupId);
    await waitFor(() => groupIsStable(groupId), 'the group to be stable');
    const message = runCreated(channelId);
    const { partition, offset } = await sendAndLocate(message);
    await waitFor(
      async () => ((await committedOffset(groupId, partition)) === offset + 1 ? true : undefined),
      'the commit',
    );
    await new Promise((resolve) => setTimeout(resolve, 400)); // one lag sample after the commit

    expect((await fetch(`${worker.opsUrl}/healthz`)).status).toBe(200);
    const response = await fetch(`${worker.opsUrl}/metrics`);
    const text = await response.text();
    for (const name of [
      'coffeebuddy_kafka_messages_processed_total',
      'coffeebuddy_kafka_handler_failures_total',
      'coffeebuddy_kafka_messages_dead_lettered_total',
      'coffeebuddy_kafka_handler_duration_seconds_bucket',
      'coffeebuddy_kafka_consumer_lag_messages',
      'coffeebuddy_kafka_connected',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(
      new RegExp(
        `coffeebuddy_kafka_consumer_lag_messages\\{[^}]*partition="${partition}"[^}]*group="${groupId.replace(/\./g, '\\.')}"[^}]*\\} 0`,
      ),
    );
    const promtool = spawnSync(
      'bash',
      [path.join(repoRoot, 'infra', 'local', 'promtool.sh'), 'check', 'metrics'],
      {
        input: text,
        encoding: 'utf8',
      },
    );
    const lint = (promtool.stdout + promtool.stderr)
      .split('\n')
      .filter((l) => l && !l.startsWith('[promtool]'));
    expect(lint).toEqual([]);
    expect(promtool.status).toBe(0);

    const logged = lines.find((l) => l.msg === 'effect recorded' && l.messageId === message.messageId);
    expect(logged?.correlationId).toBe(message.correlationId);
  });
});
