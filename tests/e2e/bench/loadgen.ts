// The load generator, in a process of its own so it never shares an event loop with what it
// measures (the emulator, the services). Sends signed `/coffee` slash commands at a fixed rate
// and prints one JSON line with what it saw.
//
//   node --import tsx bench/loadgen.ts '{"url":…,"secret":…,"rate":200,"seconds":5,"prefix":"CB"}'
//
// Every request has its own channel (`<prefix><i>`), as many different channels would. A request
// counts as acked when it is answered 200 and the answer is not the gateway's "couldn't" notice
// (Kafka did not take the command); anything else is an error.
import { createHmac } from 'node:crypto';
import http from 'node:http';

interface Job {
  url: string;
  secret: string;
  rate: number;
  seconds: number;
  prefix: string;
}

/** What one load step saw: ack latencies (ms) of acked requests, and the counts. */
export interface LoadResult {
  offered: number;
  acked: number;
  errors: number;
  elapsedSeconds: number;
  latencies: number[];
  firstError?: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const target = new URL(job.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

function sign(body: string): { signature: string; ts: string } {
  const ts = String(Math.floor(Date.now() / 1000));
  return { ts, signature: `v0=${createHmac('sha256', job.secret).update(`v0:${ts}:${body}`).digest('hex')}` };
}

function once(i: number): Promise<{ ok: boolean; ms: number; detail?: string }> {
  const body = new URLSearchParams({
    token: 'x',
    team_id: 'T0001',
    team_domain: 'coffeebuddy-dev',
    channel_id: `${job.prefix}${i}`,
    channel_name: 'bench',
    user_id: 'U0001',
    user_name: 'ada',
    command: '/coffee',
    text: `in 30m bench ${i}`,
    api_app_id: 'A0COFFEE01',
    response_url: 'http://127.0.0.1:9/response-url/bench',
    trigger_id: `bench.${job.prefix}.${i}`,
  }).toString();
  const { ts, signature } = sign(body);
  const sent = performance.now();
  return new Promise((resolve) => {
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-slack-signature': signature,
          'x-slack-request-timestamp': ts,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const ms = performance.now() - sent;
          const text = Buffer.concat(chunks).toString();
          const ok = response.statusCode === 200 && !text.includes("couldn't");
          resolve(ok ? { ok, ms } : { ok, ms, detail: `${response.statusCode} ${text.slice(0, 120)}` });
        });
      },
    );
    request.on('error', (error) =>
      resolve({ ok: false, ms: performance.now() - sent, detail: error.message }),
    );
    request.end(body);
  });
}

async function main(): Promise<void> {
  const total = Math.round(job.rate * job.seconds);
  const result: LoadResult = { offered: total, acked: 0, errors: 0, elapsedSeconds: 0, latencies: [] };
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / job.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      once(i).then((outcome) => {
        if (outcome.ok) {
          result.acked++;
          result.latencies.push(outcome.ms);
        } else {
          result.errors++;
          result.firstError ??= outcome.detail;
        }
      }),
    );
  }
  await Promise.all(pending);
  result.elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  // A pipe is written asynchronously: exit only once the whole line is out.
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(result)}\n`, () => resolve()));
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
