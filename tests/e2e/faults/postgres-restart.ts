import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  deadLetterCount,
  type FaultContext,
  type Figure,
  figure,
  inParallel,
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
  const count = context.soak ? 20 : 6;
  const deadBefore = await deadLetterCount(context.admin);
  const pidsBefore = context.stack.services.filter((s) => s.child.exitCode === null).map((s) => s.child.pid);
  const runs: WholeRun[] = [];
  const failures: string[] = [];
  let downMs = 0;
  let upAt = 0;
  const load = inParallel(
    Array.from({ length: count }, (_, i) => i),
    3,
    async () => {
      try {
        runs.push(await wholeRun(context, 'pg', 180_000));
      } catch (error) {
        failures.push((error as Error).message);
      }
    },
  );
  const fault = (async () => {
    // Under load: the first runs are under way.
    await sleep(3_000);
    const stopped = Date.now();
    await postgres(context.repoRoot, 'stop');
    context.log(`${SCENARIO}: stopped (fast)`);
    await sleep(5_000);
    await postgres(context.repoRoot, 'start');
    upAt = Date.now();
    downMs = upAt - stopped;
    context.log(`${SCENARIO}: started again`);
  })();
  await Promise.all([load, fault]);
  // Recovered: every service ready again, and a new command makes its run message.
  const ready = await waitFor(
    async () => {
      const live = context.stack.services.filter((s) => s.child.exitCode === null && s.opsUrl);
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
  const posted = await waitFor(
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
  const tally = await tallyRuns(context, runs);
  const deadLettered = (await deadLetterCount(context.admin)) - deadBefore;
  const pidsAfter = context.stack.services.filter((s) => s.child.exitCode === null).map((s) => s.child.pid);
  const restarted = pidsBefore.filter((pid) => !pidsAfter.includes(pid)).length;
  if (failures.length) context.log(`${SCENARIO}: ${failures.slice(0, 3).join('; ')}`);
  return [
    figure(SCENARIO, 'database down (stop → up)', `${(downMs / 1000).toFixed(1)} s`),
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
