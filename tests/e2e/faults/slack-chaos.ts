import {
  type FaultContext,
  type Figure,
  figure,
  inParallel,
  tallyFigures,
  tallyRuns,
  type WholeRun,
  wholeRun,
} from './harness';

const SCENARIO = 'Slack misbehaving';

/**
 * Whole runs while Slack misbehaves: 10% of Web API calls fail with a random transient error
 * (a share of them after the call took effect, its answer lost), 2% are answered 429 with
 * Retry-After, and 10% take an extra 500 ms. views.open is spared: its trigger_id lives 3 s and
 * a person clicks again (the harness does) rather than the app retrying. Every effect (run
 * message, summary, runner DM, reminder, App Home) must still happen exactly once.
 */
export async function slackChaos(context: FaultContext): Promise<Figure[]> {
  const { emulator } = context.stack;
  const count = context.soak ? 40 : 12;
  const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
  emulator.setChaos({
    transientRate: 0.1,
    rateLimitRate: 0.02,
    retryAfterSeconds: 1,
    spikeRate: 0.1,
    spikeMs: 500,
    actedRate: 0.5,
    spare: ['views.open'],
    seed,
  });
  const runs: WholeRun[] = [];
  const failures: string[] = [];
  try {
    await inParallel(
      Array.from({ length: count }, (_, i) => i),
      4,
      async () => {
        try {
          runs.push(await wholeRun(context, 'chaos'));
        } catch (error) {
          failures.push((error as Error).message);
        }
      },
    );
    // Effects still being retried finish under chaos too.
    const tally = await tallyRuns(context, runs);
    const chaos = emulator.chaosTally();
    return [
      figure(SCENARIO, 'Web API calls under chaos (seed)', `${chaos.calls} (${seed})`),
      figure(
        SCENARIO,
        'failed transient / of them acted / 429 / +500 ms',
        `${chaos.transient} / ${chaos.acted} / ${chaos.rateLimited} / ${chaos.spikes}`,
      ),
      figure(
        SCENARIO,
        'whole runs that could not be completed',
        failures.length,
        '= 0',
        failures.length === 0,
      ),
      ...tallyFigures(SCENARIO, tally),
    ];
  } finally {
    emulator.setChaos(null);
    if (failures.length) context.log(`${SCENARIO}: ${failures.slice(0, 3).join('; ')}`);
  }
}
