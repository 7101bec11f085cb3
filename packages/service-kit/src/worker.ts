import {
  consumerLag,
  createConsumer,
  createKafkaMetrics,
  createProducer,
  type KafkaMetrics,
  type MessageConsumer,
  type MessageHandler,
  type MessageProducer,
  type MessageRegistry,
  type RetryPolicy,
  type TopicName,
} from '@coffeebuddy/contracts';
import type { Db } from '@coffeebuddy/db';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { buildOpsServer, type OpsServer, type ReadinessCheck } from './ops-server';
import { outboxRelayPoller } from './outbox';

/**
 * The harness every consumer app runs in. It owns the lifecycle:
 *
 *   start:  ops HTTP server → producer → consumers (join groups) → pollers → lag sampler
 *   stop:   /readyz says 503 → consumers stop fetching, finish the in-flight message and
 *           commit → pollers finish their current run and run once more (flushing the outbox)
 *           → producer → admin → resources → HTTP
 *
 * all within `shutdownTimeoutMs`; past it `stop()` rejects so the process can exit non-zero.
 */

export interface ConsumerDefinition {
  groupId: string;
  topics: TopicName[];
  handler: MessageHandler;
  retry?: Partial<RetryPolicy>;
  /** How long the group waits for a silent member before giving its partitions away. */
  sessionTimeoutMs?: number;
  /** Partitions handled in parallel (each partition stays in order, so a channel's messages do). */
  partitionsConcurrently?: number;
  /** Longest one handler attempt may take before it is retried (see createConsumer). */
  handlerTimeoutMs?: number;
}

/** A periodic task (outbox relay, reminder scan): `run` is never overlapped with itself. */
export interface PollerDefinition {
  name: string;
  intervalMs: number;
  /** `stopping()` turns true when the worker shuts down: long runs check it and end early. */
  run: (logger: Logger, context: { producer: MessageProducer; stopping: () => boolean }) => Promise<void>;
  /**
   * Whether `stop()` runs it once more after the consumers stopped (default true: the outbox
   * relay flushes what the last messages queued). A sweep that can wait for the next start says false.
   */
  finalRun?: boolean;
}

export interface WorkerOptions {
  service: string;
  logger: Logger;
  metricsRegistry: Registry;
  kafka: Kafka;
  messageRegistry: MessageRegistry;
  consumers: ConsumerDefinition[];
  pollers?: PollerDefinition[];
  /**
   * The service's database: adds a `database` readiness check and the transactional outbox relay
   * of the events `service` owns (poller `OUTBOX_RELAY`, every `outboxIntervalMs`, default 250 ms).
   */
  database?: { db: Db; outboxIntervalMs?: number };
  /** Extra readiness checks. */
  checks?: ReadinessCheck[];
  /** Closed last, in reverse order (e.g. the database client). */
  resources?: { name: string; close: () => Promise<void> }[];
  ops: { host: string; port: number };
  shutdownTimeoutMs?: number;
  lagIntervalMs?: number;
}

export interface Worker {
  producer: MessageProducer;
  metrics: KafkaMetrics;
  ops: OpsServer;
  /** Where the ops server listens, e.g. http://127.0.0.1:9464 */
  opsUrl: string;
  consumers: MessageConsumer[];
  /** Runs a poller now instead of at the end of its interval (no-op while it is running). */
  wake(pollerName: string): void;
  stop(reason?: string): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { logger, kafka } = options;
  const metrics = createKafkaMetrics(options.metricsRegistry);
  const producer = createProducer({ kafka, registry: options.messageRegistry, logger, metrics });
  const admin: Admin = kafka.admin();
  const consumers = options.consumers.map((definition) =>
    createConsumer({
      kafka,
      registry: options.messageRegistry,
      producer,
      logger,
      metrics,
      groupId: definition.groupId,
      topics: definition.topics,
      handler: definition.handler,
      ...(definition.retry ? { retry: definition.retry } : {}),
      ...(definition.sessionTimeoutMs ? { sessionTimeoutMs: definition.sessionTimeoutMs } : {}),
      ...(definition.partitionsConcurrently
        ? { partitionsConcurrently: definition.partitionsConcurrently }
        : {}),
      ...(definition.handlerTimeoutMs ? { handlerTimeoutMs: definition.handlerTimeoutMs } : {}),
    }),
  );

  const database = options.database;
  const databaseChecks: ReadinessCheck[] = database
    ? [{ name: 'database', check: async () => (await database.db.$queryRaw`SELECT 1`) !== undefined }]
    : [];
  const kafkaCheck: ReadinessCheck = {
    name: 'kafka',
    check: () => consumers.every((c) => c.isReady()),
  };
  const ops = buildOpsServer({
    registry: options.metricsRegistry,
    checks: [kafkaCheck, ...databaseChecks, ...(options.checks ?? [])],
    logger,
  });
  const opsUrl = await ops.listen({ host: options.ops.host, port: options.ops.port });

  await admin.connect();
  await producer.connect();
  for (const consumer of consumers) await consumer.start();

  // Pollers: each runs, waits its interval, runs again; stop() waits for a run in progress.
  let stopping = false;
  const pollers = [
    ...(database ? [outboxRelayPoller(database.db, options.service, database.outboxIntervalMs)] : []),
    ...(options.pollers ?? []),
  ];
  const pollerLoops = pollers.map((poller) => {
    const log = logger.child({ poller: poller.name });
    let wake: (() => void) | undefined;
    // Set by a wake: one that comes while a run is under way (after it looked for work) makes
    // the next run start as soon as this one ends, rather than at the interval.
    let woken = false;
    const loop = (async () => {
      while (!stopping) {
        woken = false;
        try {
          await poller.run(log, { producer, stopping: () => stopping });
        } catch (error) {
          log.error({ err: (error as Error).message }, 'poller run failed');
        }
        if (stopping) break;
        if (woken) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, poller.intervalMs);
          timer.unref();
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    })();
    return {
      name: poller.name,
      loop,
      wake: () => {
        woken = true;
        wake?.();
      },
    };
  });

  // Consumer lag and Kafka connectivity, sampled from the admin client.
  const sampleLag = async () => {
    try {
      for (const consumer of consumers) {
        for (const { topic, partition, lag } of await consumerLag(admin, consumer.groupId, consumer.topics)) {
          metrics.consumerLag.set({ topic, partition: String(partition), group: consumer.groupId }, lag);
        }
      }
      metrics.connected.set({ client: 'admin' }, 1);
    } catch (error) {
      metrics.connected.set({ client: 'admin' }, 0);
      logger.warn({ err: (error as Error).message }, 'cannot sample consumer lag');
    }
  };
  await sampleLag();
  const lagTimer = setInterval(sampleLag, options.lagIntervalMs ?? 5_000);
  lagTimer.unref();

  logger.info({ opsUrl, consumers: options.consumers.map((c) => c.groupId) }, 'worker started');

  let stopped: Promise<void> | undefined;
  const stop = (reason = 'stop requested'): Promise<void> => {
    stopped ??= (async () => {
      const timeoutMs = options.shutdownTimeoutMs ?? 20_000;
      logger.info({ reason, timeoutMs }, 'worker stopping');
      ops.markShuttingDown();
      stopping = true;
      clearInterval(lagTimer);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`shutdown took longer than ${timeoutMs} ms`)), timeoutMs);
      });
      const sequence = (async () => {
        // Consumers first: their last effects may queue outbox events. Then the pollers finish
        // their current run and each runs once more, so what was just queued is published.
        await Promise.all(consumers.map((c) => c.stop()));
        for (const poller of pollerLoops) poller.wake();
        await Promise.all(pollerLoops.map((p) => p.loop));
        for (const poller of pollers.filter((p) => p.finalRun !== false)) {
          await poller
            .run(logger.child({ poller: poller.name }), { producer, stopping: () => false })
            .catch((error: Error) => {
              logger.warn({ poller: poller.name, err: error.message }, 'final poller run failed');
            });
        }
        await producer.disconnect();
        await admin.disconnect();
        for (const resource of [...(options.resources ?? [])].reverse()) await resource.close();
        await ops.close();
      })();
      try {
        await Promise.race([sequence, deadline]);
        logger.info('worker stopped');
      } finally {
        clearTimeout(timer);
      }
    })();
    return stopped;
  };

  const wakePoller = (name: string) => {
    for (const poller of pollerLoops) if (poller.name === name) poller.wake();
  };

  return { producer, metrics, ops, opsUrl, consumers, wake: wakePoller, stop };
}

/**
 * Runs a worker as a process: SIGTERM/SIGINT stop it gracefully; exit code 0 when it stopped
 * within the bound, 1 when it did not or failed to start.
 */
export function runWorkerProcess(logger: Logger, start: () => Promise<Worker>): void {
  const starting = start();
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    // A signal during start-up stops the worker as soon as it has started.
    starting
      .then((worker) => worker.stop(`received ${signal}`))
      .then(
        () => process.exit(0),
        (error: Error) => {
          logger.error({ err: error.message }, 'shutdown did not complete');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  starting.catch((error: Error & { code?: string }) => {
    logger.fatal({ err: error.message, code: error.code }, 'worker failed to start');
    process.exit(1);
  });
}
