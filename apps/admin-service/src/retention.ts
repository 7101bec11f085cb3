import { type Db, RETENTION_TABLES, sweepRetention } from '@coffeebuddy/db';
import type { PollerDefinition } from '@coffeebuddy/service-kit';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The retention sweep's poller name in the worker harness. */
export const RETENTION_POLLER = 'retention-sweep';

/**
 * The retention sweep as a poller of the worker harness (no cron): every `intervalMs` it deletes
 * what the channels' `data_retention_days` and the bookkeeping horizon no longer keep, in
 * batches (see `sweepRetention` in packages/db), counting `coffeebuddy_retention_deleted_total`
 * by table and timing each batch; one log line per sweep. Replicas may sweep at once: each row
 * is locked by the batch that deletes it (`SKIP LOCKED`), so none is counted twice.
 */
export function retentionPoller(options: {
  db: Db;
  metricsRegistry: Registry;
  intervalMs: number;
  batchSize: number;
  horizonDays: number;
}): PollerDefinition {
  const deleted = new Counter({
    name: 'coffeebuddy_retention_deleted_total',
    help: 'Rows deleted by the retention sweep, by table.',
    labelNames: ['table'],
    registers: [options.metricsRegistry],
  });
  for (const table of RETENTION_TABLES) deleted.inc({ table }, 0);
  const batchSeconds = new Histogram({
    name: 'coffeebuddy_retention_batch_seconds',
    help: 'How long one retention batch (one transaction, and so the longest lock it holds) took.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [options.metricsRegistry],
  });
  return {
    name: RETENTION_POLLER,
    intervalMs: options.intervalMs,
    // A shutdown neither waits for a sweep nor starts one: the next start carries on.
    finalRun: false,
    async run(logger, { stopping }) {
      const report = await sweepRetention(options.db, {
        batchSize: options.batchSize,
        horizonDays: options.horizonDays,
        stopping,
        onBatch: (table, n, ms) => {
          if (n > 0) deleted.inc({ table }, n);
          batchSeconds.observe(ms / 1000);
        },
      });
      logger.info(
        {
          deleted: report.deleted,
          batches: report.batches,
          longestBatchMs: Math.round(report.longestBatchMs),
          durationMs: Math.round(report.durationMs),
        },
        'retention sweep done',
      );
    },
  };
}
