// The reminder-worker under load (issue "Reminders through Kafka"):
//
//   pnpm --filter @coffeebuddy/e2e bench:reminders [reminders] [spreadSeconds] [channels]
//
// Schedules `reminders` (default 10,000) runner reminders due over `spreadSeconds` (default 120)
// across `channels` (default 100), by producing `reminder_scheduled` to Kafka exactly as
// runs-service does, for closed runs set up in the database; the real reminder-worker process
// sends them to the Slack emulator. Three rounds: steady state; the worker SIGKILLed 30 s in and
// started again at once; a second worker joining halfway. Each prints the fire lateness (Slack's
// receipt − due time) p50/p99/max, how many were sent, duplicates (a reminder sent twice) and
// misses (never sent).
import { randomUUID } from 'node:crypto';
import { createKafka, createMessage, MessageRegistry, TOPICS } from '@coffeebuddy/contracts';
import { kafkaTestConfig, uniqueSlackId } from '@coffeebuddy/contracts/testing';
import { Partitioners } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { type Stack, startStack } from '../src/stack';

const total = Number(process.argv[2] ?? 10_000);
const spreadSeconds = Number(process.argv[3] ?? 120);
const channelCount = Number(process.argv[4] ?? 100);
const RUNNERS = ['U0001', 'U0002', 'U0003', 'U0004'];

interface Scheduled {
  runId: string;
  remindAt: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function setUp(
  db: pg.Pool,
  stack: Stack,
  label: string,
): Promise<{ runIds: string[]; channels: string[] }> {
  const channels = Array.from({ length: channelCount }, () => uniqueSlackId('C'));
  for (const [i, id] of channels.entries()) stack.emulator.addChannel({ id, name: `rb-${label}-${i}` });
  await db.query(
    `INSERT INTO channels (id, team_id) SELECT unnest($1::text[]), 'T0001' ON CONFLICT DO NOTHING`,
    [channels],
  );
  await db.query(
    `INSERT INTO users (id, team_id) SELECT unnest($1::text[]), 'T0001' ON CONFLICT DO NOTHING`,
    [RUNNERS],
  );
  const runIds = Array.from({ length: total }, () => randomUUID());
  const snapshot = JSON.stringify([{ userId: 'U0003', text: 'flat white', provenance: 'typed' }]);
  for (let start = 0; start < total; start += 2_000) {
    const ids = runIds.slice(start, start + 2_000);
    // The same channel and runner per run as scheduleAll gives it (index i → channel i % channels).
    await db.query(
      `INSERT INTO runs (id, channel_id, team_id, status, initiator_id, runner_id, pickup_at, correlation_id,
                         order_snapshot, reminder_version, closed_at, note)
       SELECT r.id, ($2::text[])[1 + ((r.n - 1 + $5) % cardinality($2::text[]))], 'T0001', 'closed', 'U0001',
              ($3::text[])[1 + ((r.n - 1 + $5) % cardinality($3::text[]))],
              now() + interval '1 hour', 'bench-' || r.id, $4::jsonb, 1, now(), 'bench'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, n)`,
      [ids, channels, RUNNERS, snapshot, start],
    );
  }
  return { runIds, channels };
}

/** Produces one reminder_scheduled per run, due spread evenly from `firstDue` over the spread. */
async function scheduleAll(
  runIds: string[],
  channels: string[],
  firstDue: number,
): Promise<Map<string, Scheduled>> {
  const config = kafkaTestConfig();
  const kafka = createKafka(config, 'reminder-bench', pino({ level: 'error' }));
  const registry = new MessageRegistry(config.schemaRegistryUrl);
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const scheduled = new Map<string, Scheduled>();
  try {
    for (let start = 0; start < runIds.length; start += 500) {
      const messages = [];
      for (let i = start; i < Math.min(runIds.length, start + 500); i++) {
        const runId = runIds[i] as string;
        const channelId = channels[i % channels.length] as string;
        const remindAt = firstDue + Math.floor((i * spreadSeconds * 1000) / runIds.length);
        scheduled.set(runId, { runId, remindAt });
        const message = createMessage(
          'reminder_scheduled',
          { correlationId: `bench-${runId}`, teamId: 'T0001', channelId, userId: null },
          {
            runId,
            channelId,
            runnerId: RUNNERS[i % RUNNERS.length] as string,
            kind: 'runner',
            pickupAt: new Date(remindAt + 10 * 60_000).toISOString(),
            remindAt: new Date(remindAt).toISOString(),
            channelConfig: { enabled: true, reminderOffsetMinutes: 10, lastCallEnabled: false },
            version: 1,
          },
        );
        messages.push({
          key: channelId,
          value: await registry.encode(TOPICS.reminderEvents, 'reminder_scheduled', message),
        });
      }
      await producer.send({ topic: TOPICS.reminderEvents, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return scheduled;
}

async function round(
  stack: Stack,
  db: pg.Pool,
  label: string,
  during?: (startedAt: number) => Promise<void>,
): Promise<void> {
  const { runIds, channels } = await setUp(db, stack, label);
  const firstDue = Date.now() + 15_000;
  const scheduled = await scheduleAll(runIds, channels, firstDue);
  const lastDue = firstDue + spreadSeconds * 1000;
  const disruption = during?.(firstDue);
  // How long the worker took to take every schedule in (they must all be in before the first is due).
  for (;;) {
    const { rows } = await db.query(
      'SELECT count(*)::int AS n, max(created_at) AS last FROM slack_effects WHERE run_id = ANY($1::uuid[])',
      [runIds],
    );
    if (rows[0].n >= runIds.length) {
      const lead = (firstDue - new Date(rows[0].last).getTime()) / 1000;
      console.log(`  ${label}: all ${runIds.length} scheduled ${lead.toFixed(1)} s before the first was due`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Wait until every reminder has an outcome (or a minute past the last due time).
  const deadline = lastDue + 60_000;
  for (;;) {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM slack_effects
        WHERE run_id = ANY($1::uuid[]) AND status IN ('sent', 'failed', 'cancelled')`,
      [runIds],
    );
    if (rows[0].n >= runIds.length || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  await disruption;
  const { rows: effects } = await db.query<{ id: string; run_id: string; status: string }>(
    'SELECT id, run_id, status FROM slack_effects WHERE run_id = ANY($1::uuid[])',
    [runIds],
  );
  const effectRun = new Map(effects.map((e) => [e.id, e.run_id]));
  const receivedAt = new Map(
    stack.emulator
      .callsTo('chat.postMessage')
      .filter((c) => c.response.ok)
      .map((c) => [String(c.response.ts), c.at]),
  );
  const postsPerRun = new Map<string, number[]>();
  for (const message of stack.emulator.messagesIn()) {
    const effectId = (message.metadata as { event_payload?: { effect_id?: string } } | undefined)
      ?.event_payload?.effect_id;
    const runId = effectId ? effectRun.get(effectId) : undefined;
    if (!runId) continue;
    postsPerRun.set(runId, [...(postsPerRun.get(runId) ?? []), receivedAt.get(message.ts) ?? Number.NaN]);
  }
  const lateness: number[] = [];
  let duplicates = 0;
  for (const [runId, times] of postsPerRun) {
    if (times.length > 1) duplicates += times.length - 1;
    lateness.push((times[0] as number) - (scheduled.get(runId)?.remindAt ?? 0));
  }
  lateness.sort((a, b) => a - b);
  const sent = postsPerRun.size;
  console.log(
    `  ${label.padEnd(34)} lateness p50 ${percentile(lateness, 50).toFixed(0)} ms  p99 ${percentile(lateness, 99).toFixed(0)} ms  ` +
      `max ${(lateness.at(-1) ?? Number.NaN).toFixed(0)} ms   sent ${sent}/${runIds.length}  duplicates ${duplicates}  ` +
      `misses ${runIds.length - sent}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `reminder-worker: ${total} runner reminders due over ${spreadSeconds} s across ${channelCount} channels, Slack = the emulator`,
  );
  const stack = await startStack();
  const db = new pg.Pool({ connectionString: stack.database.url, max: 4 });
  try {
    await round(stack, db, 'steady state');
    await round(stack, db, 'worker SIGKILLed 30 s in, restarted', async (firstDue) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstDue + 30_000 - Date.now())));
      await stack.stopService('reminder-worker', 'SIGKILL');
      await stack.startService('reminder-worker');
    });
    await round(stack, db, 'second worker joining halfway', async (firstDue) => {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, firstDue + (spreadSeconds * 1000) / 2 - Date.now())),
      );
      await stack.startService('reminder-worker');
    });
  } finally {
    await db.end();
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
