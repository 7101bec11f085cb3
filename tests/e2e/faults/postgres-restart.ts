import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  alive,
  deadLetterCount,
  type FaultContext,
  type Figure,
  figure,
  newChannel,
  sleep,
  tallyFigures,
  tallyRuns,
  type WholeRun,
  waitFor,
  wholeRun,
  zero,
} from './harness';

const run = promisify(execFile);
const SCENARIO = 'PostgreSQL restarted';

/** Whether the stack's database is in this clone's local cluster (so the suite may restart it). */
function localCluster(databaseUrl: string): boolean {
  const url = new URL(databaseUrl);
  return url.hostname === '127.0.0.1' && url.port === (process.env.COFFEEBUDDY_PG_PORT ?? '15432');
}

async function postgres(repoRoot: string, command: 'stop' | 'start'): Promise<void> {
  await run('bash', [path.join(repoRoot, 'infra/local/postgres.sh'), command], { cwd: repoRoot });
}

/**
 * Whole runs go on while PostgreSQL is stopped (fast shutdown: connections dropped, work in
 * flight aborted) and started again. The services must recover on their own (no restart), every
 * run complete exactly once, nothing dead-lettered; the time from "PostgreSQL is up" to "every
 * service ready and a new /coffee posted" is printed.
 */
export async function postgresRestart(context: FaultContext): Promise<Figure[]> {
  if (!localCluster(context.stack.database.url)) {
    return [figure(SCENARIO, 'skipped', 'DATABASE_URL is not this clone’s local cluster')];
  }
  const parallel = context.soak ? 6 : 3;
  const deadBefore = await deadLetterCount(context.admin);
  const pidsBefore = context.stack.services.filter((s) => alive(s)).map((s) => s.child.pid);
  const runs: WholeRun[] = [];
  const failures: string[] = [];
  let done = false;
  let stoppedAt = 0;
  let upAt = 0;
  let overlapping = 0;
  // Whole runs, `parallel` at a time, until the database is back and a new command has worked.
  const load = Promise.all(
    Array.from({ length: parallel }, async () => {
      while (!done) {
        const began = Date.now();
        try {
          runs.push(await wholeRun(context, 'pg', 180_000));
          if (stoppedAt && began < (upAt || Date.now())) overlapping += 1;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    }),
  );
  let ready = 0;
  let posted = 0;
  try {
    // Under load: some runs are under way.
    await waitFor(() => runs.length >= 2 || undefined, 'two whole runs before the restart', 60_000);
    stoppedAt = Date.now();
    await postgres(context.repoRoot, 'stop');
    context.log(`${SCENARIO}: stopped (fast)`);
    await sleep(context.soak ? 30_000 : 5_000);
    await postgres(context.repoRoot, 'start');
    upAt = Date.now();
    context.log(`${SCENARIO}: started again`);
    // Recovered: every service ready again, and a new command makes its run message.
    ready = await waitFor(
      async () => {
        const live = context.stack.services.filter((s) => alive(s) && s.opsUrl);
        const answers = await Promise.all(live.map((s) => fetch(`${s.opsUrl}/readyz`).then((r) => r.ok)));
        return answers.every(Boolean) ? Date.now() : undefined;
      },
      'every service ready',
      120_000,
    );
    const probeChannel = newChannel(context, 'pg-after');
    await context.driver.slashCommand({
      text: 'in 20m after the restart',
      userId: 'U0001',
      channelId: probeChannel,
    });
    posted = await waitFor(
      async () => {
        const { rows } = await context.db.query(
          'SELECT 1 FROM runs WHERE channel_id = $1 AND message_ts IS NOT NULL',
          [probeChannel],
        );
        return rows[0] ? Date.now() : undefined;
      },
      'a run message after the restart',
      120_000,
    );
  } finally {
    done = true;
    await load;
  }
  const downMs = upAt - stoppedAt;
  const tally = await tallyRuns(context, runs);
  const deadLettered = (await deadLetterCount(context.admin)) - deadBefore;
  const pidsAfter = context.stack.services.filter((s) => alive(s)).map((s) => s.child.pid);
  const restarted = pidsBefore.filter((pid) => !pidsAfter.includes(pid)).length;
  if (failures.length) context.log(`${SCENARIO}: ${failures.slice(0, 3).join('; ')}`);
  return [
    figure(SCENARIO, 'database down (stop → up)', `${(downMs / 1000).toFixed(1)} s`),
    figure(SCENARIO, 'whole runs under way while it was down', overlapping, '≥ 1', overlapping >= 1),
    figure(
      SCENARIO,
      'recovery: up → every service ready',
      `${(Math.max(0, ready - upAt) / 1000).toFixed(1)} s`,
    ),
    figure(SCENARIO, 'recovery: up → a new run message', `${((posted - upAt) / 1000).toFixed(1)} s`),
    zero(SCENARIO, 'service processes that exited', restarted),
    zero(SCENARIO, 'dead-lettered messages', deadLettered),
    figure(SCENARIO, 'whole runs that could not be completed', failures.length, '= 0', failures.length === 0),
    ...tallyFigures(SCENARIO, tally),
  ];
}
