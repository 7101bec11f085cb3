import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { TOPICS } from '@coffeebuddy/contracts';
import {
  type FaultContext,
  type Figure,
  figure,
  newChannel,
  percentile,
  sleep,
  waitFor,
  zero,
} from './harness';

const run = promisify(execFile);
const SCENARIO = 'broker SIGKILLed';

/** Whether the suite's broker is this clone's own (so it may kill it), and its pid. */
export function localBrokerPid(repoRoot: string): number | undefined {
  const pidFile = path.join(
    process.env.COFFEEBUDDY_STATE ?? path.join(repoRoot, '.local'),
    'kafka',
    'kafka.pid',
  );
  if (!existsSync(pidFile)) return undefined;
  const local = `127.0.0.1:${process.env.KAFKA_PORT ?? '19092'}`;
  if ((process.env.KAFKA_BROKERS ?? local) !== local) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** infra/local/kafka.sh for this clone's broker (KAFKA_BROKERS unset: it is the local one). */
export async function kafkaScript(repoRoot: string, command: 'kill' | 'start'): Promise<void> {
  const env = { ...process.env };
  delete env.KAFKA_BROKERS;
  await run('bash', [path.join(repoRoot, 'infra/local/kafka.sh'), command], { env, cwd: repoRoot });
}

type Ack = 'acked' | 'told' | 'refused_silently';

/**
 * 1,000 `/coffee` in 1,000 channels at a steady rate; 10 s in, the broker is SIGKILLed and
 * started again 10 s later. Every command acked with 200 and a confirmation must have exactly
 * one run and one run message; every command the gateway refused must have nothing, and the
 * person must have been told.
 */
export async function brokerKill(context: FaultContext): Promise<Figure[]> {
  if (!localBrokerPid(context.repoRoot)) {
    return [figure(SCENARIO, 'skipped', 'KAFKA_BROKERS is not this clone’s local broker')];
  }
  const count = context.soak ? 5_000 : 1_000;
  const ratePerSecond = context.soak ? 50 : 16;
  const channels = Array.from({ length: count }, () => newChannel(context, 'broker'));
  const acks = new Map<string, Ack>();
  const latencies: number[] = [];
  const began = Date.now();
  let killedAt = 0;
  let restartedAt = 0;
  const fault = (async () => {
    await sleep(10_000);
    await kafkaScript(context.repoRoot, 'kill');
    killedAt = Date.now();
    context.log(`${SCENARIO}: broker killed at +${((killedAt - began) / 1000).toFixed(1)} s`);
    await sleep(10_000);
    await kafkaScript(context.repoRoot, 'start');
    restartedAt = Date.now();
    context.log(`${SCENARIO}: broker healthy again at +${((restartedAt - began) / 1000).toFixed(1)} s`);
  })();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = began + (i * 1000) / ratePerSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    const channelId = channels[i] as string;
    sends.push(
      (async () => {
        const started = performance.now();
        const answer = await context.driver
          .slashCommand({ text: 'in 20m broker', userId: 'U0001', channelId })
          .catch(() => ({ status: 0, body: undefined }));
        latencies.push(performance.now() - started);
        const text = String((answer.body as { text?: string } | undefined)?.text ?? '');
        acks.set(
          channelId,
          answer.status === 200 && text.startsWith('☕')
            ? 'acked'
            : answer.status === 200 && text.startsWith('Sorry')
              ? 'told'
              : 'refused_silently',
        );
      })(),
    );
  }
  await Promise.all(sends);
  await fault;
  const acked = channels.filter((c) => acks.get(c) === 'acked');
  const refused = channels.filter((c) => acks.get(c) !== 'acked');
  // Every acked command has its run message…
  const runsByChannel = async () => {
    const { rows } = await context.db.query(
      'SELECT channel_id, count(*)::int AS n, count(message_ts)::int AS posted FROM runs WHERE channel_id = ANY($1) GROUP BY channel_id',
      [channels],
    );
    return new Map(rows.map((r) => [r.channel_id as string, r as { n: number; posted: number }]));
  };
  const recovered = await waitFor(
    async () => {
      const runs = await runsByChannel();
      return acked.every((c) => (runs.get(c)?.posted ?? 0) >= 1) ? Date.now() : undefined;
    },
    'a run message for every acked command',
    240_000,
  ).catch(() => undefined);
  // …and runs-service has read everything there is (nothing still on its way from a late send).
  let lastEnd = -1;
  let steady = 0;
  await waitFor(
    async () => {
      const ends = await context.admin.fetchTopicOffsets(TOPICS.runCommands);
      const committed = await context.admin.fetchOffsets({
        groupId: context.stack.consumerGroup,
        topics: [TOPICS.runCommands],
      });
      const end = ends.reduce((s, p) => s + Number(p.high), 0);
      const read = committed[0]?.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0) ?? 0;
      steady = end === lastEnd && read === end ? steady + 1 : 0;
      lastEnd = end;
      return steady >= 20 ? true : undefined;
    },
    'run.commands read to its end, and no new command for 2 s',
    120_000,
  );
  const runs = await runsByChannel();
  const posts = new Map<string, number>();
  for (const message of context.stack.emulator.state.messages) {
    if (
      message.ephemeral ||
      !(message.metadata as { event_payload?: { effect_id?: string } } | undefined)?.event_payload?.effect_id
    )
      continue;
    posts.set(message.channel, (posts.get(message.channel) ?? 0) + 1);
  }
  const lost = acked.filter((c) => (runs.get(c)?.n ?? 0) === 0 || (posts.get(c) ?? 0) === 0).length;
  const duplicated = acked.filter((c) => (runs.get(c)?.n ?? 0) > 1 || (posts.get(c) ?? 0) > 1).length;
  const refusedButRan = refused.filter((c) => (runs.get(c)?.n ?? 0) > 0 || (posts.get(c) ?? 0) > 0).length;
  const told = refused.filter((c) => acks.get(c) === 'told').length;
  const downFor = restartedAt && killedAt ? ((restartedAt - killedAt) / 1000).toFixed(1) : '?';
  return [
    figure(SCENARIO, 'commands sent (rate)', `${count} (${ratePerSecond}/s)`),
    figure(SCENARIO, 'broker down (kill → healthy)', `${downFor} s`),
    figure(SCENARIO, 'acked with a confirmation', acked.length),
    figure(SCENARIO, 'refused (told / not told)', `${refused.length} (${told} / ${refused.length - told})`),
    zero(SCENARIO, 'acked: lost (no run or no run message)', lost),
    zero(SCENARIO, 'acked: duplicated (two runs or two run messages)', duplicated),
    zero(SCENARIO, 'refused: yet a run or a message', refusedButRan),
    zero(SCENARIO, 'refused: the person not told', refused.length - told),
    figure(
      SCENARIO,
      'ack latency p50 / p99 / max',
      `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)} / ${Math.max(...latencies).toFixed(0)} ms`,
    ),
    figure(
      SCENARIO,
      'every acked run posted, after the broker was back',
      recovered ? `${((recovered - restartedAt) / 1000).toFixed(1)} s` : 'never',
      'yes',
      recovered !== undefined,
    ),
  ];
}
