import type { Db } from './client';

/**
 * The retention sweep (DESIGN §5, §11): deletes what each channel's `data_retention_days` no
 * longer keeps, and the bookkeeping rows older than a fixed horizon — in batches, each batch one
 * statement and so one short transaction, so the sweep never holds locks the flows wait on for
 * long (rows another transaction holds are skipped, `SKIP LOCKED`, and taken next time).
 *
 * - `runs` that ended (closed or cancelled; `closed_at` set) longer ago than the channel keeps
 *   history — never less than its fairness window, so fairness never loses a run it counts —
 *   with their `orders` and Slack effects; the runners' `runner_stats.runs_served_count` goes
 *   down by the closed runs deleted, so it stays the number of runs served still on record;
 * - `user_preferences` not used (typed or reused) within the channel's retention;
 * - `processed_messages`, `command_fates`, published `outbox_events` and finished `slack_effects` older than
 *   `horizonDays` (longer than any topic keeps messages, so a redelivery is still recognised).
 */

export const RETENTION_TABLES = [
  'runs',
  'orders',
  'user_preferences',
  'processed_messages',
  'command_fates',
  'outbox_events',
  'slack_effects',
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

export interface RetentionOptions {
  /** Rows deleted per batch (per statement), > 0. */
  batchSize: number;
  /** Age in days after which processed-message records, published outbox events and finished effects go. */
  horizonDays: number;
  /** The sweep's clock (tests move it). */
  now?: Date;
  /** Called after each batch (metrics, progress). */
  onBatch?: (table: RetentionTable, deleted: number, ms: number) => void;
  /** Stops between batches when it returns true (shutdown). */
  stopping?: () => boolean;
}

export interface RetentionReport {
  deleted: Record<RetentionTable, number>;
  batches: number;
  /** The longest batch, ms: the longest any row lock of the sweep was held. */
  longestBatchMs: number;
  durationMs: number;
}

type Batch = (
  db: Db,
  limit: number,
  now: Date,
  horizonDays: number,
) => Promise<Partial<Record<RetentionTable, number>>>;

const endedRuns: Batch = async (db, limit, now) => {
  const [row] = await db.$queryRaw<{ runs: number; orders: number }[]>`
    WITH doomed AS (
      SELECT r.id
        FROM runs r JOIN channels c ON c.id = r.channel_id
       WHERE r.status <> 'open' AND r.closed_at IS NOT NULL
         AND r.closed_at < ${now}::timestamptz
             - make_interval(days => greatest(c.data_retention_days, c.fairness_window_days))
       ORDER BY r.closed_at
       LIMIT ${limit}
       FOR UPDATE OF r SKIP LOCKED
    ), gone_orders AS (
      DELETE FROM orders o USING doomed d WHERE o.run_id = d.id RETURNING o.id
    ), gone_runs AS (
      DELETE FROM runs r USING doomed d WHERE r.id = d.id RETURNING r.channel_id, r.runner_id, r.status
    ), served AS (
      UPDATE runner_stats s
         SET runs_served_count = greatest(0, s.runs_served_count - g.n), updated_at = now()
        FROM (SELECT channel_id, runner_id, count(*)::int AS n
                FROM gone_runs WHERE status = 'closed' AND runner_id IS NOT NULL
               GROUP BY channel_id, runner_id) g
       WHERE s.channel_id = g.channel_id AND s.user_id = g.runner_id
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone_runs)::int AS runs,
           (SELECT count(*) FROM gone_orders)::int AS orders,
           (SELECT count(*) FROM served)::int AS stats`;
  return { runs: row?.runs ?? 0, orders: row?.orders ?? 0 };
};

const unusedPreferences: Batch = async (db, limit, now) => ({
  user_preferences: await db.$executeRaw`
    DELETE FROM user_preferences p USING (
      SELECT p2.user_id, p2.channel_id
        FROM user_preferences p2 JOIN channels c ON c.id = p2.channel_id
       WHERE p2.updated_at < ${now}::timestamptz - make_interval(days => c.data_retention_days)
       LIMIT ${limit}
       FOR UPDATE OF p2 SKIP LOCKED
    ) d
    WHERE p.user_id = d.user_id AND p.channel_id = d.channel_id`,
});

const oldProcessedMessages: Batch = async (db, limit, now, horizonDays) => ({
  processed_messages: await db.$executeRaw`
    DELETE FROM processed_messages m USING (
      SELECT consumer_group, message_id FROM processed_messages
       WHERE processed_at < ${now}::timestamptz - make_interval(days => ${horizonDays}::int)
       LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ) d
    WHERE m.consumer_group = d.consumer_group AND m.message_id = d.message_id`,
});

const oldCommandFates: Batch = async (db, limit, now, horizonDays) => ({
  command_fates: await db.$executeRaw`
    DELETE FROM command_fates f USING (
      SELECT message_id FROM command_fates
       WHERE created_at < ${now}::timestamptz - make_interval(days => ${horizonDays}::int)
       LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ) d
    WHERE f.message_id = d.message_id`,
});

const publishedOutbox: Batch = async (db, limit, now, horizonDays) => ({
  outbox_events: await db.$executeRaw`
    DELETE FROM outbox_events e USING (
      SELECT id FROM outbox_events
       WHERE published_at < ${now}::timestamptz - make_interval(days => ${horizonDays}::int)
       LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ) d
    WHERE e.id = d.id`,
});

const finishedEffects: Batch = async (db, limit, now, horizonDays) => ({
  slack_effects: await db.$executeRaw`
    DELETE FROM slack_effects e USING (
      SELECT id FROM slack_effects
       WHERE status IN ('sent', 'failed', 'cancelled')
         AND updated_at < ${now}::timestamptz - make_interval(days => ${horizonDays}::int)
       LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ) d
    WHERE e.id = d.id`,
});

/** Each kind of batch, with the table whose count says whether another batch is needed. */
const STEPS: [RetentionTable, Batch][] = [
  ['runs', endedRuns],
  ['user_preferences', unusedPreferences],
  ['processed_messages', oldProcessedMessages],
  ['command_fates', oldCommandFates],
  ['outbox_events', publishedOutbox],
  ['slack_effects', finishedEffects],
];

/**
 * Runs one sweep to the end (until a batch deletes fewer rows than `batchSize` for every step),
 * or until `stopping()`. Throws the database's error; what was deleted before stays deleted
 * (each batch commits on its own), and the next sweep carries on.
 */
export async function sweepRetention(db: Db, options: RetentionOptions): Promise<RetentionReport> {
  if (!(options.batchSize > 0)) throw new RangeError('sweepRetention: batchSize must be positive');
  const now = options.now ?? new Date();
  const started = performance.now();
  const deleted = Object.fromEntries(RETENTION_TABLES.map((t) => [t, 0])) as Record<RetentionTable, number>;
  let batches = 0;
  let longestBatchMs = 0;
  for (const [table, batch] of STEPS) {
    for (;;) {
      if (options.stopping?.()) break;
      const t0 = performance.now();
      const counts = await batch(db, options.batchSize, now, options.horizonDays);
      const ms = performance.now() - t0;
      batches += 1;
      longestBatchMs = Math.max(longestBatchMs, ms);
      for (const [name, n] of Object.entries(counts) as [RetentionTable, number][]) {
        deleted[name] += n;
        options.onBatch?.(name, n, ms);
      }
      if ((counts[table] ?? 0) < options.batchSize) break;
    }
  }
  return { deleted, batches, longestBatchMs, durationMs: performance.now() - started };
}
