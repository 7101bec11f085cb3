// Benchmarks the gateway against a minimal Bolt app, and /coffee → run message, on the real stack.
//
//   pnpm --filter @coffeebuddy/e2e bench [rate=200] [seconds=10] [e2eRate=10]
//
// Phase 1: whole runs at a lower rate, each measured at the Slack emulator: /coffee → the run
//          message (chat.postMessage), "Place order" → views.open, "Close run" → the summary.
// Phase 2: signed /coffee at a fixed rate against slack-gateway (real Kafka, PostgreSQL, registry
//          behind it): ack latency percentiles and throughput.
// Phase 3: the same load against a minimal @slack/bolt app (verify + ack only), same process of
//          measurement, and the ratio.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { uniqueSlackId } from '@coffeebuddy/contracts/testing';
import { createSlackDriver } from '@coffeebuddy/slack-emulator';
import pg from 'pg';
import { freePort, type Stack, startStack } from '../src/stack';

const rate = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 10);
const e2eRate = Number(process.argv[4] ?? 10);

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

/** Sends signed slash commands at `perSecond` for `duration` s; `channelFor(i)` picks the channel. */
async function load(
  url: string,
  secret: string,
  perSecond: number,
  duration: number,
  channelFor: (i: number) => string,
) {
  const total = Math.round(perSecond * duration);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = new URLSearchParams({
      token: 'x',
      team_id: 'T0001',
      team_domain: 'coffeebuddy-dev',
      channel_id: channelFor(i),
      channel_name: 'bench',
      user_id: 'U0001',
      user_name: 'ada',
      command: '/coffee',
      text: `in 30m bench ${i}`,
      api_app_id: 'A0COFFEE01',
      response_url: 'http://127.0.0.1:9/response-url/bench',
      trigger_id: `bench.${i}`,
    }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
    const sent = performance.now();
    inFlight.push(
      fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-signature': signature,
          'x-slack-request-timestamp': String(ts),
        },
      }).then(
        async (response) => {
          await response.arrayBuffer();
          if (response.status === 200) latencies.push(performance.now() - sent);
          else errors++;
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return figures(latencies, (performance.now() - started) / 1000, errors);
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

async function main(): Promise<void> {
  console.log(`starting the stack (fresh database, gateway + runs-service processes, Slack emulator)…`);
  const stack = await startStack();
  const channels: string[] = [];
  const channelFor = (i: number) => {
    if (!channels[i]) {
      channels[i] = uniqueSlackId('C');
      stack.emulator.addChannel({ id: channels[i], name: `bench-${i}` });
    }
    return channels[i];
  };
  try {
    console.log(
      `phase 1: whole runs — /coffee → run message, Place order → views.open, Close → summary, ${e2eRate}/s for ${seconds} s`,
    );
    const driver = createSlackDriver({
      gatewayUrl: stack.gatewayUrl,
      signingSecret: stack.signingSecret,
      emulator: stack.emulator,
    });
    // Warm-up (connections, schema lookups, JIT in both services), not measured.
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
    let failed = 0;
    const total = Math.round(e2eRate * seconds);
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
            const runId = String(
              (post.args.blocks as { elements?: { value?: string }[] }[]).find((b) => b.elements)
                ?.elements?.[0]?.value,
            );
            // "Place order" click → views.open.
            const clickedAt = Date.now();
            await driver.blockAction({
              actionId: 'place_order',
              value: runId,
              userId: 'U0002',
              channelId,
              messageTs: ts,
            });
            const opened = await stack.emulator.waitForCall(
              'views.open',
              (c) => JSON.stringify(c.args.view).includes(runId),
              10_000,
            );
            modal.push(opened.at - clickedAt);
            const viewId = String((opened.response.view as { id: string }).id);
            await driver.viewSubmission({
              userId: 'U0002',
              viewId,
              values: { order: { text: 'flat white' } },
            });
            await stack.emulator.waitForCall(
              'chat.update',
              (c) => c.args.channel === channelId && JSON.stringify(c.args.blocks).includes('flat white'),
              10_000,
            );
            // "Close run" click → the channel summary.
            const closedAt = Date.now();
            await driver.blockAction({
              actionId: 'close_run',
              value: runId,
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
          }
        })(),
      );
    }
    await Promise.all(pending);
    for (const failure of failures) console.log(`  failed: ${failure}`);
    const elapsed = (performance.now() - started) / 1000;
    console.log(`  /coffee → run message:       ${fmt(figures(e2e, elapsed, failed))}`);
    console.log(`  "Place order" → views.open:  ${fmt(figures(modal, elapsed, failed))}`);
    console.log(`  "Close run" → summary:       ${fmt(figures(close, elapsed, failed))}`);
    await commitToSlackCall(stack);

    // The ack phases measure the gateway alone: runs-service would otherwise share the two
    // cores with it (in production it runs elsewhere). Commands stay in Kafka for its group.
    await stack.stopService('runs-service');
    // Warm-up: connections, JIT, schema lookups.
    await load(`${stack.gatewayUrl}/slack/commands`, stack.signingSecret, 20, 1, channelFor);
    console.log(`phase 2: slack-gateway, ${rate} req/s for ${seconds} s`);
    const offset = 20;
    const ours = await load(`${stack.gatewayUrl}/slack/commands`, stack.signingSecret, rate, seconds, (i) =>
      channelFor(i + offset),
    );
    console.log(`  gateway ack:   ${fmt(ours)}`);

    console.log(`phase 3: minimal @slack/bolt app (verify + ack), ${rate} req/s for ${seconds} s`);
    const boltPort = await freePort();
    const bolt = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bolt-app.ts')], {
      env: { ...process.env, PORT: String(boltPort), SLACK_SIGNING_SECRET: stack.signingSecret },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      bolt.stdout?.on('data', (d: Buffer) => d.toString().includes('bolt ready') && resolve()),
    );
    const boltUrl = `http://127.0.0.1:${boltPort}/slack/events`;
    await load(boltUrl, stack.signingSecret, 20, 1, (i) => `CWARM${i}`);
    const theirs = await load(boltUrl, stack.signingSecret, rate, seconds, (i) => `CBOLT${i}`);
    bolt.kill('SIGTERM');
    console.log(`  bolt ack:      ${fmt(theirs)}`);
    console.log(
      `  ratio gateway/bolt: p50 ${(ours.p50 / theirs.p50).toFixed(2)}×  p99 ${(ours.p99 / theirs.p99).toFixed(2)}×`,
    );
  } finally {
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
