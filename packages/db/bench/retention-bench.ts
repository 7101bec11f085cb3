// `pnpm --filter @coffeebuddy/db bench:retention [runs] [batch]`: how long the retention sweep
// takes to delete `runs` old runs (default 1,000,000, each with one order) in batches of `batch`
// (default 1,000), the longest batch (the longest any of its row locks is held), and what a flow
// running beside it sees: the latency of a small transaction on a live channel (lock its open
// run, update it) while the sweep runs, against the same transaction with nothing else running.
// Needs DATABASE_URL (a role that may create databases); uses a database of its own.
import pg from 'pg';
import { createDb, sweepRetention } from '../src';
import { createTestDatabase } from '../src/testing';

const RUNS = Number(process.argv[2] ?? 1_000_000);
const BATCH = Number(process.argv[3] ?? 1_000);

const pct = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function flowLatencies(sql: pg.Client, runId: string, until: () => boolean): Promise<number[]> {
  const took: number[] = [];
  while (!until()) {
    const t0 = performance.now();
    await sql.query('BEGIN');
    await sql.query('SELECT id FROM runs WHERE id = $1 FOR UPDATE', [runId]);
    await sql.query("UPDATE runs SET note = 'live' WHERE id = $1", [runId]);
    await sql.query('COMMIT');
    took.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return took.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const database = await createTestDatabase({ migrated: true });
  const sql = new pg.Client({ connectionString: database.url });
  const flow = new pg.Client({ connectionString: database.url });
  await sql.connect();
  await flow.connect();
  const db = await createDb(database.config);
  try {
    console.log(
      `[retention-bench] seeding ${RUNS.toLocaleString('en-US')} runs ended 100 days ago, one order each`,
    );
    const seeded = performance.now();
    await sql.query("INSERT INTO users (id, team_id) VALUES ('U0001', 'T0001')");
    await sql.query(
      "INSERT INTO channels (id, team_id, data_retention_days, fairness_window_days) SELECT 'C' || lpad(i::text, 4, '0'), 'T0001', 90, 30 FROM generate_series(1, 100) i",
    );
    await sql.query(
      `INSERT INTO runs (channel_id, team_id, initiator_id, runner_id, status, closed_at, created_at, correlation_id)
       SELECT 'C' || lpad((1 + i % 100)::text, 4, '0'), 'T0001', 'U0001', 'U0001', 'closed',
              now() - interval '100 days' - make_interval(secs => i), now() - interval '100 days' - make_interval(secs => i), 'bench'
         FROM generate_series(1, $1::int) i`,
      [RUNS],
    );
    await sql.query("INSERT INTO orders (run_id, user_id, text) SELECT id, 'U0001', 'flat white' FROM runs");
    await sql.query(
      "INSERT INTO runner_stats (channel_id, user_id, runs_served_count) SELECT id, 'U0001', $1::int / 100 FROM channels",
      [RUNS],
    );
    const live = await sql.query(
      "INSERT INTO runs (channel_id, team_id, initiator_id, status, correlation_id) VALUES ('C0001', 'T0001', 'U0001', 'open', 'live') RETURNING id",
    );
    await sql.query('VACUUM ANALYZE');
    console.log(`[retention-bench] seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    const liveRunId = live.rows[0].id as string;

    const idleUntil = performance.now() + 3_000;
    const idle = await flowLatencies(flow, liveRunId, () => performance.now() > idleUntil);

    let done = false;
    const beside = flowLatencies(flow, liveRunId, () => done);
    const batches: number[] = [];
    const report = await sweepRetention(db, {
      batchSize: BATCH,
      horizonDays: 30,
      onBatch: (table, _n, took) => {
        if (table === 'runs') batches.push(took);
      },
    });
    done = true;
    const during = await beside;
    batches.sort((a, b) => a - b);
    const left = (await sql.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;
    console.log('');
    console.log(`retention sweep of ${RUNS.toLocaleString('en-US')} old runs (batch ${BATCH}):`);
    console.log(
      `  deleted            runs ${report.deleted.runs.toLocaleString('en-US')}, orders ${report.deleted.orders.toLocaleString('en-US')} (left: ${left - 1} old runs, the live run)`,
    );
    console.log(
      `  time               ${(report.durationMs / 1000).toFixed(1)} s, ${Math.round(report.deleted.runs / (report.durationMs / 1000)).toLocaleString('en-US')} runs/s, ${report.batches} batches`,
    );
    console.log(
      `  batch (lock held)  p50 ${ms(pct(batches, 50))}, p99 ${ms(pct(batches, 99))}, longest ${ms(report.longestBatchMs)}`,
    );
    console.log(
      `  a live channel's transaction, idle:         p50 ${ms(pct(idle, 50))}, p99 ${ms(pct(idle, 99))} (${idle.length} samples)`,
    );
    console.log(
      `  a live channel's transaction, during sweep: p50 ${ms(pct(during, 50))}, p99 ${ms(pct(during, 99))}, max ${ms(during.at(-1) ?? 0)} (${during.length} samples)`,
    );
    console.log(
      `  ratio during/idle  p50 ${(pct(during, 50) / pct(idle, 50)).toFixed(2)}×, p99 ${(pct(during, 99) / pct(idle, 99)).toFixed(2)}×`,
    );
  } finally {
    await db.$disconnect();
    await flow.end();
    await sql.end();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
