import type { ServiceName } from '../src/stack';
import {
  type FaultContext,
  type Figure,
  figure,
  sleep,
  tallyFigures,
  tallyRuns,
  type WholeRun,
  wholeRun,
} from './harness';

const SCENARIO = 'consumer SIGKILLed';
const VICTIMS: ServiceName[] = ['runs-service', 'orders-service', 'reminder-worker'];

/**
 * Each of runs-service, orders-service and reminder-worker in turn is SIGKILLed a few seconds
 * after every restart (restarted at once, as an orchestrator would) while whole runs go on;
 * when the runs are done, one process is left running and every effect must have happened
 * exactly once: no duplicate orders, summaries, DMs or reminders, none lost.
 */
export async function consumerKills(context: FaultContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const crashes = context.soak ? 10 : 2;
  const parallel = 2;
  for (const victim of VICTIMS) {
    const scenario = `${SCENARIO}: ${victim}`;
    const runs: WholeRun[] = [];
    const failures: string[] = [];
    let done = false;
    // Whole runs, `parallel` at a time, for as long as the crashes go on.
    const load = Promise.all(
      Array.from({ length: parallel }, async () => {
        while (!done) {
          try {
            runs.push(await wholeRun(context, `kill-${victim.split('-')[0]}`, 180_000));
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      }),
    );
    const restartMs: number[] = [];
    let kills = 0;
    try {
      while (kills < crashes) {
        // A few seconds of work between crashes (2–4 s after it is ready again).
        await sleep(2_000 + Math.random() * 2_000);
        await context.stack.stopService(victim, 'SIGKILL');
        kills += 1;
        const started = Date.now();
        await context.stack.startService(victim);
        restartMs.push(Date.now() - started);
      }
    } finally {
      done = true;
      await load;
    }
    const tally = await tallyRuns(context, runs);
    if (failures.length) context.log(`${scenario}: ${failures.slice(0, 3).join('; ')}`);
    const meanRestart = restartMs.reduce((a, b) => a + b, 0) / Math.max(1, restartMs.length);
    figures.push(
      figure(
        scenario,
        'SIGKILLs (mean restart to ready)',
        `${kills} (${(meanRestart / 1000).toFixed(1)} s)`,
        '≥ 1',
        kills >= 1,
      ),
      figure(
        scenario,
        'whole runs that could not be completed',
        failures.length,
        '= 0',
        failures.length === 0,
      ),
      ...tallyFigures(scenario, tally),
    );
  }
  return figures;
}
