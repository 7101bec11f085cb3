// Benchmarks the gateway against a minimal Bolt app and a bare node:http server, and whole runs,
// on the real stack (services in their own processes, run from their production bundles).
//
//   pnpm --filter @coffeebuddy/e2e bench [rate=200] [seconds=10] [e2eRate=20]
//   pnpm --filter @coffeebuddy/e2e bench:ceiling [startRate=100] [stepSeconds=5] [e2eRate=20] [maxRate=6000]
//
// Phase 1: whole runs at `e2eRate` per second, each measured at the Slack emulator: /coffee → the
//          run message (chat.postMessage), "Place order" → views.open, "Close run" → the summary.
// Phase 2: signed /coffee from a load generator in its own process (bench/loadgen.ts) against
//          (a) slack-gateway with real Kafka, PostgreSQL and the registry behind it,
//          (b) a minimal @slack/bolt 5 app that only verifies and acks (bench/bolt-app.ts),
//          (c) a bare node:http server that only verifies the signature (bench/bare-verify.ts).
//          Fixed mode: one step at `rate` for `seconds` each. Ceiling mode: steps of
//          `stepSeconds` at rising rates until ack p99 > 50 ms, an error, or less than 95% of the
//          offered rate achieved (a failed step is tried once more: the machine is shared); the
//          ceiling is the last rate that passed. The three take turns at each rate, so bursts of
//          other work on a shared machine fall on all of them. Then the ratios.
//          For the gateway, every acked command is checked to be in Kafka (end offsets).
// Resident memory (RSS) of every process: idle (after start-up) and the most seen under load.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createKafka, TOPICS } from '@coffeebuddy/contracts';
import { kafkaTestConfig, uniqueSlackId } from '@coffeebuddy/contracts/testing';
import { createSlackDriver } from '@coffeebuddy/slack-emulator';
import pg from 'pg';
import pino from 'pino';
import { freePort, type ServiceName, type Stack, startStack } from '../src/stack';
import type { LoadResult } from './loadgen';

const ceilingMode = process.argv[2] === 'ceiling';
const args = process.argv.slice(ceilingMode ? 3 : 2).map(Number);
const rate = ceilingMode ? (args[0] ?? 100) : (args[0] ?? 200);
const seconds = ceilingMode ? (args[1] ?? 5) : (args[1] ?? 10);
const e2eRate = args[2] ?? 20;
const maxRate = args[3] ?? 6000;
/** The bars the design sets for an ack, and for a ceiling step to pass. */
const ACK_P99_BAR_MS = 50;
const RAMP = [
  50, 100, 150, 200, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 8000,
];

interface Figures {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  throughput: number;
  errors: number;
  count: number;
}

function figures(latencies: number[], elapsedSeconds: number, errors: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted.at(-1) ?? Number.NaN,
    throughput: latencies.length / elapsedSeconds,
    errors,
    count: latencies.length,
  };
}

const fmt = (f: Figures) =>
  `p50 ${f.p50.toFixed(2)} ms  p90 ${f.p90.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms  max ${f.max.toFixed(1)} ms  ` +
  `${f.throughput.toFixed(0)} req/s  (${f.count} requests, ${f.errors} errors)`;

/** Resident set size of a process, in MB, from /proc (NaN when it is gone or not Linux). */
function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Idle and peak-under-load RSS per named process. */
class MemoryWatch {
  private readonly idle = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private readonly pids = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  track(name: string, pid: number | undefined): void {
    if (!pid) return;
    this.pids.set(name, pid);
    this.idle.set(name, rssMb(pid));
  }
  /** Samples every 200 ms while `work` runs; the peak is what counts as "under load". */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.timer = setInterval(() => {
      for (const [name, pid] of this.pids) {
        const now = rssMb(pid);
        // NaN once a process has exited (the services stopped for the ack phases): keep the peak.
        if (now > (this.peak.get(name) ?? 0)) this.peak.set(name, now);
      }
    }, 200);
    try {
      return await work();
    } finally {
      clearInterval(this.timer);
    }
  }
  print(): void {
    console.log('resident memory (RSS, MB): idle after start-up → most seen under load');
    for (const [name, idle] of this.idle) {
      const peak = this.peak.get(name);
      console.log(`  ${name.padEnd(16)} ${idle.toFixed(0).padStart(5)} → ${peak ? peak.toFixed(0) : '–'}`);
    }
  }
}

/** Runs one load step in a child process (bench/loadgen.ts) and returns what it saw. */
function loadStep(url: string, secret: string, perSecond: number, duration: number, prefix: string) {
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(__dirname, 'loadgen.ts'),
        JSON.stringify({ url, secret, rate: perSecond, seconds: duration, prefix }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // 'close': the process has exited and its stdout is read to the end.
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as LoadResult);
      } catch (error) {
        reject(error);
      }
    });
  });
}

interface Step {
  rate: number;
  figures: Figures;
  passed: boolean;
  why?: string;
}

/** A step passes when p99 ≤ 50 ms, nothing failed and ≥ 95% of the offered rate was achieved. */
function judge(stepRate: number, result: LoadResult): Step {
  const f = figures(result.latencies, result.elapsedSeconds, result.errors);
  const why =
    result.errors > 0
      ? `${result.errors} errors (${result.firstError ?? '?'})`
      : f.p99 > ACK_P99_BAR_MS
        ? `p99 ${f.p99.toFixed(1)} ms > ${ACK_P99_BAR_MS} ms`
        : f.throughput < stepRate * 0.95
          ? `achieved ${f.throughput.toFixed(0)} of ${stepRate} req/s`
          : undefined;
  return { rate: stepRate, figures: f, passed: why === undefined, ...(why ? { why } : {}) };
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ; 100 on Linux builds). */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** CPU time a process has used so far (user + system), in ms, from /proc (NaN when unknown). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU used so far (ms) by each process of the box that takes part in a whole run: every service
 * (by pid), the benchmark itself (emulator + driver), PostgreSQL (all its processes), the Kafka
 * broker and the schema registry (their JVMs, found by command line), and the machine in all
 * (from /proc/stat). Differences of two readings say where a run's CPU goes.
 */
function cpuAccount(services: { name: string; pid: number | undefined }[]): Map<string, number> {
  const account = new Map<string, number>();
  const add = (name: string, ms: number) => {
    if (Number.isFinite(ms)) account.set(name, (account.get(name) ?? 0) + ms);
  };
  for (const service of services) add(service.name, cpuMs(service.pid));
  const own = process.cpuUsage();
  add('bench (emulator, driver)', (own.user + own.system) / 1000);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let command: string;
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (command.startsWith('postgres')) add('PostgreSQL', cpuMs(Number(entry)));
    else if (command.includes('kafka.Kafka')) add('Kafka broker', cpuMs(Number(entry)));
    else if (command.includes('coffeebuddy.service=schema-registry'))
      add('schema registry', cpuMs(Number(entry)));
  }
  try {
    // cpu  user nice system idle iowait irq softirq steal …, in USER_HZ ticks, over all CPUs.
    const ticks = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const all = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
    account.set('machine busy', ((all - idle) * 1000) / CLOCK_TICKS);
    account.set('machine all', (all * 1000) / CLOCK_TICKS);
  } catch {
    // not Linux: no machine figures
  }
  return account;
}

/** Prints CPU per whole run by process between two `cpuAccount` readings. */
function printCpuPerRun(before: Map<string, number>, after: Map<string, number>, runs: number): void {
  const used = (name: string) => (after.get(name) ?? Number.NaN) - (before.get(name) ?? Number.NaN);
  const parts = [...after.keys()]
    .filter((name) => !name.startsWith('machine'))
    .map((name) => ({ name, ms: used(name) / runs }))
    .filter((p) => Number.isFinite(p.ms))
    .sort((a, b) => b.ms - a.ms);
  const total = parts.reduce((sum, p) => sum + p.ms, 0);
  console.log(
    `  CPU per whole run (${runs} runs): ${parts.map((p) => `${p.name} ${p.ms.toFixed(1)} ms`).join(', ')}; in all ${total.toFixed(0)} ms`,
  );
  const busy = used('machine busy');
  const all = used('machine all');
  if (Number.isFinite(busy) && all > 0) {
    const cores = availableParallelism();
    console.log(
      `  machine ${((100 * busy) / all).toFixed(0)}% busy over ${cores} CPUs: at ${total.toFixed(0)} ms a run, they allow ~${((cores * 1000) / total).toFixed(1)} runs/s`,
    );
  }
}

interface Target {
  label: string;
  url: string;
  tag: string;
  pid: number | undefined;
}

/** One target's steps and its ceiling (the last rate that passed; req/s). */
interface Ramp {
  steps: Step[];
  ceiling: number;
}

/** One step of one target, tried once more when it fails in ceiling mode; prints each attempt. */
async function stepOf(target: Target, secret: string, stepRate: number): Promise<Step[]> {
  const attempts: Step[] = [];
  for (let attempt = 0; attempt < (ceilingMode ? 2 : 1); attempt++) {
    const cpuBefore = cpuMs(target.pid);
    const result = await loadStep(
      target.url,
      secret,
      stepRate,
      seconds,
      `${uniqueSlackId('C')}${target.tag}`,
    );
    const cpuPerRequest = (cpuMs(target.pid) - cpuBefore) / Math.max(1, result.acked + result.errors);
    const step = judge(stepRate, result);
    attempts.push(step);
    console.log(
      `  ${target.label.padEnd(8)} ${String(stepRate).padStart(5)}/s  ${fmt(step.figures)}  cpu ${cpuPerRequest.toFixed(2)} ms/req  ${step.passed ? 'ok' : `✗ ${step.why}`}${attempt > 0 ? ' (again)' : ''}`,
    );
    if (step.passed) break;
  }
  return attempts;
}

/**
 * Fixed mode: one step per target; ceiling mode: the ramp. The targets take turns at each rate
 * (gateway, bolt, bare, then the next rate), so a burst of other work on the shared machine falls
 * on all of them alike; a target drops out at its first failed step (tried twice). Each step also
 * shows the CPU the server (`pid`) spent per request: steadier than latency on a shared machine.
 */
async function measureAll(targets: Target[], secret: string): Promise<Map<string, Ramp>> {
  const ramps = new Map<string, Ramp>(targets.map((t) => [t.label, { steps: [], ceiling: 0 }]));
  // Warm-up: connections, JIT, schema lookups.
  for (const target of targets) await loadStep(target.url, secret, 50, 1, uniqueSlackId('C'));
  const rates = ceilingMode ? RAMP.filter((r) => r >= rate && r <= maxRate) : [rate];
  let running = [...targets];
  for (const stepRate of rates) {
    for (const target of running) {
      const ramp = ramps.get(target.label) as Ramp;
      const attempts = await stepOf(target, secret, stepRate);
      ramp.steps.push(...attempts);
      if (attempts.at(-1)?.passed) ramp.ceiling = stepRate;
      else if (ceilingMode) running = running.filter((t) => t !== target);
    }
    if (running.length === 0) break;
  }
  return ramps;
}

/** Sum of the end offsets of a topic's partitions: how many records it holds in all. */
async function endOffsets(topic: string): Promise<number> {
  const kafka = createKafka(kafkaTestConfig(), 'bench-offsets', pino({ level: 'error' }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * How long a Slack call trails the commit of the change that needs it, from the database's own
 * timestamps (the run row's `created_at` and `closed_at`, written in the committing transaction)
 * to the moment the emulator received the call: the run message and the summary.
 */
async function commitToSlackCall(stack: Stack): Promise<void> {
  const db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  try {
    const { rows } = await db.query<{ channel_id: string; created_at: Date; closed_at: Date | null }>(
      'SELECT channel_id, created_at, closed_at FROM runs',
    );
    const posts = stack.emulator.callsTo('chat.postMessage').filter((c) => c.response.ok === true);
    const message: number[] = [];
    const summary: number[] = [];
    for (const run of rows) {
      const inChannel = posts.filter((c) => c.args.channel === run.channel_id);
      const first = inChannel.find((c) => !String(c.args.text).includes('Coffee run closed'));
      if (first) message.push(first.at - run.created_at.getTime());
      const closed = inChannel.find((c) => String(c.args.text).includes('Coffee run closed'));
      if (closed && run.closed_at) summary.push(closed.at - run.closed_at.getTime());
    }
    const show = (values: number[]) => {
      const f = figures(values, 1, 0);
      return `p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms  (${values.length})`;
    };
    console.log(`  commit → Slack call:  run message ${show(message)};  summary ${show(summary)}`);
  } finally {
    await db.end();
  }
}

/** Whole runs at `e2eRate` per second for `duration` s: /coffee → message, click → modal, close → summary. */
async function wholeRuns(stack: Stack, duration: number): Promise<void> {
  const driver = createSlackDriver({
    gatewayUrl: stack.gatewayUrl,
    signingSecret: stack.signingSecret,
    emulator: stack.emulator,
  });
  // Warm-up (connections, schema lookups, JIT in every service), not measured.
  for (let i = 0; i < 10; i++) {
    const channelId = uniqueSlackId('C');
    stack.emulator.addChannel({ id: channelId, name: `warm-${i}` });
    await driver.slashCommand({ text: 'in 30m', userId: 'U0001', channelId });
    await stack.emulator.waitForCall('chat.postMessage', (c) => c.args.channel === channelId, 10_000);
  }
  const e2e: number[] = [];
  const modal: number[] = [];
  const close: number[] = [];
  const failures = new Set<string>();
  const failedRuns: { channelId: string; runId?: string }[] = [];
  let failed = 0;
  const total = Math.round(e2eRate * duration);
  const processes = stack.services.map((service) => ({ name: service.name, pid: service.child.pid }));
  const cpuBefore = cpuAccount(processes);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / e2eRate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const channelId = uniqueSlackId('C');
    stack.emulator.addChannel({ id: channelId, name: `e2e-${i}` });
    pending.push(
      (async () => {
        let runId: string | undefined;
        try {
          // /coffee → the run message.
          const sentAt = Date.now();
          await driver.slashCommand({ text: 'in 30m', userId: 'U0001', channelId });
          const post = await stack.emulator.waitForCall(
            'chat.postMessage',
            (c) => c.args.channel === channelId,
            10_000,
          );
          e2e.push(post.at - sentAt);
          const ts = String(post.response.ts);
          const run = String(
            (post.args.blocks as { elements?: { value?: string }[] }[]).find((b) => b.elements)?.elements?.[0]
              ?.value,
          );
          runId = run;
          // "Place order" click → views.open.
          const clickedAt = Date.now();
          await driver.blockAction({
            actionId: 'place_order',
            value: run,
            userId: 'U0002',
            channelId,
            messageTs: ts,
          });
          const opened = await stack.emulator.waitForCall(
            'views.open',
            (c) => JSON.stringify(c.args.view).includes(run),
            10_000,
          );
          modal.push(opened.at - clickedAt);
          const viewId = String((opened.response.view as { id: string }).id);
          const submitted = await driver.viewSubmission({
            userId: 'U0002',
            viewId,
            values: { order: { text: 'flat white' } },
          });
          // Accepted is 200 with an empty body; anything else is the failure, not the wait below.
          if (submitted.status !== 200 || submitted.body !== '')
            throw new Error(
              `order submission answered ${submitted.status} ${JSON.stringify(submitted.body).slice(0, 120)}`,
            );
          await stack.emulator.waitForCall(
            'chat.update',
            (c) => c.args.channel === channelId && JSON.stringify(c.args.blocks).includes('flat white'),
            10_000,
          );
          // "Close run" click → the channel summary.
          const closedAt = Date.now();
          await driver.blockAction({
            actionId: 'close_run',
            value: run,
            userId: 'U0001',
            channelId,
            messageTs: ts,
          });
          const summary = await stack.emulator.waitForCall(
            'chat.postMessage',
            (c) => c.args.channel === channelId && String(c.args.text).includes('Coffee run closed'),
            10_000,
          );
          close.push(summary.at - closedAt);
        } catch (error) {
          failed++;
          failures.add((error as Error).message.slice(0, 160));
          failedRuns.push({ channelId, runId });
        }
      })(),
    );
  }
  await Promise.all(pending);
  const cpuAfter = cpuAccount(processes);
  const elapsed = (performance.now() - started) / 1000;
  for (const failure of failures) console.log(`  failed: ${failure}`);
  // What the services said and Slack saw about the first failed run, to tell why.
  const [first] = failedRuns;
  if (first) {
    const ids = [first.channelId, ...(first.runId ? [first.runId] : [])];
    console.log(`  first failed run (channel ${first.channelId}, run ${first.runId ?? 'none'}):`);
    for (const line of stack.logsContaining(ids.at(-1) as string))
      console.log(`    log ${JSON.stringify(line).slice(0, 400)}`);
    for (const call of stack.emulator.calls.filter((c) =>
      ids.some((id) => JSON.stringify(c.args).includes(id)),
    ))
      console.log(
        `    slack ${call.method} ${JSON.stringify(call.args).slice(0, 200)} → ${JSON.stringify(call.response).slice(0, 120)}`,
      );
  }
  console.log(`  /coffee → run message:       ${fmt(figures(e2e, elapsed, failed))}   (bar: p99 ≤ 300 ms)`);
  console.log(`  "Place order" → views.open:  ${fmt(figures(modal, elapsed, failed))}   (bar: p99 ≤ 500 ms)`);
  console.log(`  "Close run" → summary:       ${fmt(figures(close, elapsed, failed))}   (bar: p99 ≤ 500 ms)`);
  printCpuPerRun(cpuBefore, cpuAfter, total - failed);
  await commitToSlackCall(stack);
}

/** Starts a peer server (bench/<file>) on a free port; resolves once it says `<word> ready`. */
async function startPeer(
  file: string,
  word: string,
  secret: string,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, file)], {
    env: { ...process.env, PORT: String(port), SLACK_SIGNING_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) =>
    child.stdout?.on('data', (d: Buffer) => d.toString().includes(`${word} ready`) && resolve()),
  );
  return { child, url: `http://127.0.0.1:${port}/slack/${word === 'bolt' ? 'events' : 'commands'}` };
}

/** Builds the services' production bundles (apps/<service>/dist/server.js), as the images run them. */
function buildBundles(): void {
  const root = path.resolve(__dirname, '..', '..', '..');
  for (const app of ['slack-gateway', 'runs-service', 'orders-service', 'admin-service', 'reminder-worker']) {
    const built = spawnSync(process.execPath, ['../../scripts/bundle.mjs', 'src/server.ts'], {
      cwd: path.join(root, 'apps', app),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (built.status !== 0) throw new Error(`bundling ${app} failed`);
  }
}

async function main(): Promise<void> {
  console.log(
    'building the services’ production bundles, starting the stack (fresh database, every service, Slack emulator)…',
  );
  buildBundles();
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const stack = await startStack({
    bundled: true,
    // BENCH_CPU_PROF_DIR: V8 CPU profiles (written when each process exits) of the services named
    // in BENCH_CPU_PROF (comma-separated; default slack-gateway), to open in Chrome DevTools.
    ...(profileDir
      ? {
          nodeArgs: Object.fromEntries(
            (process.env.BENCH_CPU_PROF ?? 'slack-gateway')
              .split(',')
              .map((name) => [name.trim(), ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]]),
          ),
        }
      : {}),
  });
  const memory = new MemoryWatch();
  for (const service of stack.services) memory.track(service.name, service.child.pid);
  const peers: ChildProcess[] = [];
  try {
    if (e2eRate > 0) {
      console.log(
        `phase 1: whole runs — /coffee → run message, Place order → views.open, Close → summary, ${e2eRate}/s for 10 s`,
      );
      await memory.during(() => wholeRuns(stack, 10));
    }
    // The ack phases measure the gateway alone: runs-service would otherwise share the two cores
    // with it (in production it runs elsewhere). Commands stay in Kafka for its group.
    for (const name of [
      'runs-service',
      'orders-service',
      'admin-service',
      'reminder-worker',
    ] as ServiceName[])
      await stack.stopService(name);
    const bolt = await startPeer('bolt-app.ts', 'bolt', stack.signingSecret);
    const bare = await startPeer('bare-verify.ts', 'bare', stack.signingSecret);
    peers.push(bolt.child, bare.child);
    memory.track('bolt app', bolt.child.pid);
    memory.track('bare node:http', bare.child.pid);
    const how = ceilingMode
      ? `ramping from ${rate}/s in ${seconds} s steps until p99 > ${ACK_P99_BAR_MS} ms, an error or < 95% achieved`
      : `${rate} req/s for ${seconds} s`;
    console.log(`phase 2: signed /coffee acks (load generator in its own process), ${how}`);
    const before = await endOffsets(TOPICS.runCommands);
    const ramps = await memory.during(() =>
      measureAll(
        [
          {
            label: 'gateway',
            url: `${stack.gatewayUrl}/slack/commands`,
            tag: 'G',
            pid: stack.services.find((s) => s.name === 'slack-gateway')?.child.pid,
          },
          { label: 'bolt', url: bolt.url, tag: 'B', pid: bolt.child.pid },
          { label: 'bare', url: bare.url, tag: 'N', pid: bare.child.pid },
        ],
        stack.signingSecret,
      ),
    );
    const [gateway, boltResult, bareResult] = ['gateway', 'bolt', 'bare'].map(
      (l) => ramps.get(l) as Ramp,
    ) as [Ramp, Ramp, Ramp];
    const written = (await endOffsets(TOPICS.runCommands)) - before;
    const acked = gateway.steps.reduce((sum, s) => sum + s.figures.count, 0);
    console.log(
      `  durability: ${acked} commands acked as started by the gateway (warm-up aside), ${written} records written to ${TOPICS.runCommands}` +
        ` — ${written >= acked ? 'every acked command is in Kafka' : 'SOME ACKED COMMANDS ARE MISSING'}`,
    );
    memory.print();
    if (ceilingMode) {
      console.log(
        `ceilings (p99 ≤ ${ACK_P99_BAR_MS} ms, no errors): gateway ${gateway.ceiling}/s, bolt ${boltResult.ceiling}/s, bare node:http ${bareResult.ceiling}/s`,
      );
      console.log(
        `  ratios: gateway/bolt ${(gateway.ceiling / boltResult.ceiling).toFixed(2)}×  gateway/bare ${(gateway.ceiling / bareResult.ceiling).toFixed(2)}×  bolt/bare ${(boltResult.ceiling / bareResult.ceiling).toFixed(2)}×`,
      );
    } else {
      const first = (r: Ramp) => r.steps[0]?.figures as Figures;
      const [ours, theirs, floor] = [first(gateway), first(boltResult), first(bareResult)] as const;
      console.log(
        `  ratio gateway/bolt: p50 ${(ours.p50 / theirs.p50).toFixed(2)}×  p99 ${(ours.p99 / theirs.p99).toFixed(2)}×;` +
          `  gateway/bare: p50 ${(ours.p50 / floor.p50).toFixed(2)}×  p99 ${(ours.p99 / floor.p99).toFixed(2)}×`,
      );
    }
  } finally {
    for (const peer of peers) peer.kill('SIGTERM');
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
