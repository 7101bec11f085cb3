import { readFileSync } from 'node:fs';
import { SERVICE_ACCESS } from '@coffeebuddy/contracts';
import { type HostileRequest, meetsExpectation, sampleHostileCases } from '@coffeebuddy/slack-emulator';
import {
  alive,
  endOffsetSum,
  type FaultContext,
  type Figure,
  figure,
  inParallel,
  newChannel,
  percentile,
  zero,
} from './harness';

const SCENARIO = 'hostile requests';
/** The gateway's default body limit (BODY_LIMIT_BYTES). */
const BODY_LIMIT = 64 * 1024;

function rssBytes(pid: number | undefined): number {
  if (!pid) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * 10,000 generated hostile requests (fast-check, seeded: the seed is printed) at the real
 * gateway over HTTP, 16 at a time: every answer a 4xx (or a plain 200 for a signed request that
 * names nothing the app acts on), none a 5xx; nothing produced to any topic the gateway writes
 * (counted on Kafka: end offsets before and after); the gateway's RSS and its log bytes per
 * refused request bounded; a valid /coffee still acked and published afterwards.
 */
export async function hostileRequests(context: FaultContext): Promise<Figure[]> {
  const { stack, admin } = context;
  const count = context.soak ? 50_000 : 10_000;
  const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
  context.log(`${SCENARIO}: ${count} cases, seed ${seed} (FAULTS_SEED=${seed} repeats them)`);
  const options = {
    signingSecret: stack.signingSecret,
    nowSeconds: () => Math.floor(Date.now() / 1000),
    bodyLimitBytes: BODY_LIMIT,
  };
  const gateway = stack.services.find((s) => s.name === 'slack-gateway' && alive(s));
  const pid = gateway?.child.pid;
  const topics = SERVICE_ACCESS['slack-gateway'].produces;
  const producedBefore = await endOffsetSum(admin, topics);
  const logsBefore = gateway?.logs.length ?? 0;
  const rssBefore = rssBytes(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssBytes(pid));
  }, 100);

  const statuses = new Map<number, number>();
  const byKind = new Map<string, number>();
  const latencies: number[] = [];
  const wrong: string[] = [];
  let requests = 0;
  let refused = 0;
  let transportErrors = 0;
  const send = async (request: HostileRequest) => {
    const started = performance.now();
    try {
      const response = await fetch(`${stack.gatewayUrl}${request.path}`, {
        method: 'POST',
        headers: request.headers,
        body: new Uint8Array(request.body),
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      return response.status;
    } catch {
      // The gateway may close the connection on a body over its limit: not an answer, not a 5xx.
      transportErrors += 1;
      return 0;
    }
  };
  const startedAt = performance.now();
  // Made in batches just before they are sent, so their timestamps are as fresh as the kind says.
  const batch = 1_000;
  for (let from = 0; from < count; from += batch) {
    const cases = sampleHostileCases(options, Math.min(batch, count - from), seed + from);
    await inParallel(cases, 16, async (c) => {
      byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
      for (const step of c.steps) {
        const status = await send(step.request);
        requests += 1;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 400 && status < 500) refused += 1;
        if (status !== 0 && !meetsExpectation(status, step.expect) && wrong.length < 5) {
          wrong.push(`${c.kind}: ${status} (expected ${step.expect})`);
        }
      }
    });
  }
  const seconds = (performance.now() - startedAt) / 1000;
  clearInterval(sampler);
  const producedAfter = await endOffsetSum(admin, topics);
  const rssAfter = rssBytes(pid);
  const newLogs = gateway?.logs.slice(logsBefore) ?? [];
  const logBytes = newLogs.reduce((sum, line) => sum + JSON.stringify(line).length + 1, 0);
  const errorLines = newLogs.filter((l) => Number(l.level) >= 50).length;
  // A signed order for a run that does not exist is answered "no longer exists" — unless the run
  // lookup gave no answer within LOOKUP_TIMEOUT_MS: then it is forwarded and orders-service, the
  // authority, refuses it. Each such forward is one logged line and one message.
  const forwarded = newLogs.filter(
    (l) => l.msg === 'run lookup gave no answer; letting orders-service check it',
  ).length;

  // Still serving: a valid command is acked and published.
  const channelId = newChannel(context, 'hostile-after');
  const valid = await context.driver.slashCommand({
    text: 'in 20m after the flood',
    userId: 'U0001',
    channelId,
  });
  const producedByValid = (await endOffsetSum(admin, topics)) - producedAfter;
  const fiveXX = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
  const unexpected = [...statuses]
    .filter(([s]) => s !== 0 && !(s >= 400 && s < 500) && s !== 200)
    .reduce((a, [, n]) => a + n, 0);
  context.log(
    `${SCENARIO}: statuses ${JSON.stringify(Object.fromEntries(statuses))}; kinds ${JSON.stringify(Object.fromEntries(byKind))}${wrong.length ? `; wrong: ${wrong.join('; ')}` : ''}`,
  );
  return [
    figure(SCENARIO, 'requests sent (cases; seed)', `${requests} (${count}; ${seed})`),
    figure(SCENARIO, 'kinds of abuse', byKind.size),
    figure(SCENARIO, 'throughput', `${Math.round(requests / seconds)} req/s`),
    figure(
      SCENARIO,
      'answer latency p50 / p99',
      `${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} ms`,
    ),
    zero(SCENARIO, '5xx answers', fiveXX),
    zero(SCENARIO, 'answers not as expected (not 4xx / plain 200)', unexpected + wrong.length),
    figure(SCENARIO, 'refused with a 4xx', refused),
    figure(
      SCENARIO,
      'connections closed instead of an answer',
      transportErrors,
      '≤ oversized sent',
      transportErrors <= (byKind.get('oversized') ?? 0),
    ),
    figure(SCENARIO, 'messages produced to gateway topics (Kafka offsets)', producedAfter - producedBefore),
    figure(SCENARIO, 'of them: foreign-run orders forwarded, run lookup timed out', forwarded),
    zero(
      SCENARIO,
      'messages produced for refused or ignored requests',
      producedAfter - producedBefore - forwarded,
    ),
    zero(SCENARIO, 'gateway error log lines', errorLines),
    figure(
      SCENARIO,
      'gateway log bytes per refused request',
      (logBytes / Math.max(1, refused)).toFixed(1),
      '≤ 100',
      logBytes / Math.max(1, refused) <= 100,
    ),
    figure(
      SCENARIO,
      'gateway RSS before / peak / after',
      `${mib(rssBefore)} / ${mib(rssPeak)} / ${mib(rssAfter)}`,
      'peak ≤ before + 256 MiB',
      rssPeak <= rssBefore + 256 * 1024 * 1024,
    ),
    figure(
      SCENARIO,
      'valid /coffee afterwards: status, produced',
      `${valid.status}, ${producedByValid}`,
      '200, 1',
      valid.status === 200 && producedByValid === 1,
    ),
  ];
}
