import { randomUUID } from 'node:crypto';
import {
  createKafka,
  createMessage,
  createProducer,
  type MessageProducer,
  MessageRegistry,
  type PayloadOf,
  TOPICS,
} from '@coffeebuddy/contracts';
import {
  kafkaTestConfig,
  startGroupAtEnd,
  uniqueGroup,
  uniqueSlackId,
  waitFor,
} from '@coffeebuddy/contracts/testing';
import { createSlackDriver, type SlackDriver } from '@coffeebuddy/slack-emulator';
import type { Consumer } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { type Stack, startStack } from '../src/stack';

/**
 * Reminders through Kafka (REQ-004) on the real processes: runs-service schedules them through
 * its outbox, the reminder-worker turns each `reminder_scheduled` into a scheduled Slack effect
 * and sends it at its time. Timing tests produce `reminder_scheduled` themselves (as runs-service
 * does) for runs set up in the database, so they can be due in seconds rather than minutes.
 */

const kafkaConfig = kafkaTestConfig();
let stack: Stack;
let driver: SlackDriver;
let db: pg.Pool;
let producer: MessageProducer;
let eventsConsumer: Consumer;
const reminderEvents: { type: string; correlationId: string; payload: Record<string, unknown> }[] = [];

beforeAll(async () => {
  stack = await startStack({ env: { 'reminder-worker': { EFFECT_LEASE_MS: '3000' } } });
  driver = createSlackDriver({
    gatewayUrl: stack.gatewayUrl,
    signingSecret: stack.signingSecret,
    emulator: stack.emulator,
  });
  db = new pg.Pool({ connectionString: stack.database.url, max: 5 });
  const kafka = createKafka(kafkaConfig, 'e2e-reminders', pino({ level: 'error' }));
  producer = createProducer({
    kafka,
    registry: new MessageRegistry(kafkaConfig.schemaRegistryUrl),
    logger: pino({ level: 'error' }),
  });
  await producer.connect();
  const groupId = uniqueGroup('e2e-reminder-events');
  await startGroupAtEnd(kafka, groupId, [TOPICS.reminderEvents]);
  eventsConsumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await eventsConsumer.connect();
  await eventsConsumer.subscribe({ topic: TOPICS.reminderEvents });
  await eventsConsumer.run({
    eachMessage: async ({ message }) => {
      if (message.value?.[0] === 0) reminderEvents.push(JSON.parse(message.value.subarray(5).toString()));
    },
  });
}, 120_000);

afterAll(async () => {
  await eventsConsumer?.disconnect();
  await producer?.disconnect();
  await db?.end();
  await stack?.stop();
});

afterEach(() => {
  stack.emulator.reset();
});

interface TestRun {
  runId: string;
  channelId: string;
  runnerId: string;
  pickupAt: Date;
  correlationId: string;
}

/** A run as the flows leave it, straight in the database: closed with a runner, or open. */
async function insertRun(
  options: {
    status?: 'open' | 'closed' | 'cancelled';
    pickupInMs?: number;
    channel?: Record<string, unknown>;
  } = {},
): Promise<TestRun> {
  const channelId = uniqueSlackId('C');
  stack.emulator.addChannel({ id: channelId, name: `reminders-${channelId.toLowerCase()}` });
  const runnerId = 'U0002';
  const pickupAt = new Date(Date.now() + (options.pickupInMs ?? 10 * 60_000));
  const correlationId = `run-${randomUUID()}`;
  const channel = { reminders_enabled: true, last_call_enabled: true, enabled: true, ...options.channel };
  await db.query(
    `INSERT INTO channels (id, team_id, enabled, reminders_enabled, last_call_enabled) VALUES ($1, 'T0001', $2, $3, $4)`,
    [channelId, channel.enabled, channel.reminders_enabled, channel.last_call_enabled],
  );
  for (const user of ['U0001', 'U0002', 'U0003']) {
    await db.query(`INSERT INTO users (id, team_id) VALUES ($1, 'T0001') ON CONFLICT DO NOTHING`, [user]);
  }
  const status = options.status ?? 'closed';
  const { rows } = await db.query(
    `INSERT INTO runs (channel_id, team_id, status, initiator_id, runner_id, pickup_at, pickup_text, note, correlation_id,
                       order_snapshot, reminder_version, closed_at)
     VALUES ($1, 'T0001', $2::run_status, 'U0001', $3, $4, 'soon', 'Blue Door', $5, $6, 1,
             CASE WHEN $2::run_status = 'open' THEN NULL ELSE now() END)
     RETURNING id`,
    [
      channelId,
      status,
      status === 'closed' ? runnerId : null,
      pickupAt,
      correlationId,
      JSON.stringify([
        { userId: 'U0002', text: 'flat white', provenance: 'typed' },
        { userId: 'U0003', text: 'tea', provenance: 'typed' },
      ]),
    ],
  );
  return { runId: rows[0].id, channelId, runnerId, pickupAt, correlationId };
}

/** What runs-service would produce for the run, due `inMs` from now. */
async function schedule(
  run: TestRun,
  kind: 'runner' | 'last_call',
  inMs: number,
  version = 1,
): Promise<PayloadOf<'reminder_scheduled'>> {
  const payload: PayloadOf<'reminder_scheduled'> = {
    runId: run.runId,
    channelId: run.channelId,
    runnerId: kind === 'runner' ? run.runnerId : null,
    kind,
    pickupAt: run.pickupAt.toISOString(),
    remindAt: new Date(Date.now() + inMs).toISOString(),
    channelConfig: { enabled: true, reminderOffsetMinutes: 10, lastCallEnabled: true },
    version,
  };
  await producer.send(
    TOPICS.reminderEvents,
    createMessage(
      'reminder_scheduled',
      { correlationId: run.correlationId, teamId: 'T0001', channelId: run.channelId, userId: null },
      payload,
    ),
  );
  return payload;
}

/** The reminder effect of a run once it has an outcome. */
async function reminderOutcome(run: TestRun, kind: 'runner' | 'last_call', timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const { rows } = await db.query(
        `SELECT status, attempts, last_error, sent_at, payload FROM slack_effects
          WHERE key = $1 AND status IN ('sent', 'failed', 'cancelled')`,
        [`reminder:${run.runId}:${kind}`],
      );
      return rows[0];
    },
    `the ${kind} reminder of ${run.runId}`,
    timeoutMs,
  );
}

/** Successful posts of a run's reminder effect (by the effect ID in the message metadata). */
async function postsOf(run: TestRun, kind: 'runner' | 'last_call') {
  const { rows } = await db.query('SELECT id FROM slack_effects WHERE key = $1', [
    `reminder:${run.runId}:${kind}`,
  ]);
  const id = rows[0]?.id;
  return stack.emulator
    .messagesIn()
    .filter(
      (m) =>
        (m.metadata as { event_payload?: { effect_id?: string } } | undefined)?.event_payload?.effect_id ===
        id,
    );
}

describe('scheduling by runs-service', () => {
  it('schedules the runner reminder and the last call when a run with a pickup time starts, and the runner’s at the close', async () => {
    const channelId = uniqueSlackId('C');
    stack.emulator.addChannel({ id: channelId, name: `sched-${channelId.toLowerCase()}` });
    const clicked = Date.now();
    await driver.slashCommand({ text: 'in 30m at Blue Door', userId: 'U0001', channelId });
    const run = await waitFor(async () => {
      const { rows } = await db.query(
        'SELECT id, pickup_at, message_ts, correlation_id FROM runs WHERE channel_id = $1 AND message_ts IS NOT NULL',
        [channelId],
      );
      return rows[0];
    }, 'the run');
    const scheduled = await waitFor(() => {
      const found = reminderEvents.filter(
        (e) => e.type === 'reminder_scheduled' && e.payload.runId === run.id,
      );
      return found.length === 2 ? found : undefined;
    }, 'both reminders scheduled');
    const pickup = (run.pickup_at as Date).getTime();
    expect(pickup - clicked).toBeGreaterThan(29 * 60_000);
    for (const event of scheduled) {
      expect(event.correlationId).toBe(run.correlation_id);
      expect(event.payload).toMatchObject({
        channelId,
        runnerId: null,
        version: 1,
        pickupAt: new Date(pickup).toISOString(),
        remindAt: new Date(pickup - 5 * 60_000).toISOString(),
        // `enabled` says whether that kind is on: runner reminders are, last calls are off by default.
        channelConfig: {
          enabled: event.payload.kind === 'runner',
          reminderOffsetMinutes: 5,
          lastCallEnabled: false,
        },
      });
    }
    expect(scheduled.map((e) => e.payload.kind).sort()).toEqual(['last_call', 'runner']);

    await db.query(`INSERT INTO users (id, team_id) VALUES ('U0003', 'T0001') ON CONFLICT DO NOTHING`);
    await db.query(`INSERT INTO orders (run_id, user_id, text) VALUES ($1, 'U0003', 'tea')`, [run.id]);
    await driver.blockAction({
      actionId: 'close_run',
      value: run.id,
      userId: 'U0001',
      channelId,
      messageTs: run.message_ts,
    });
    const atClose = await waitFor(
      () =>
        reminderEvents.find(
          (e) => e.type === 'reminder_scheduled' && e.payload.runId === run.id && e.payload.version === 2,
        ),
      'the runner reminder at the close',
    );
    expect(atClose.payload).toMatchObject({ kind: 'runner', runnerId: 'U0003' });
  });

  it('schedules nothing for a run without a pickup time', async () => {
    const channelId = uniqueSlackId('C');
    stack.emulator.addChannel({ id: channelId, name: `nopickup-${channelId.toLowerCase()}` });
    await driver.slashCommand({ text: 'whenever', userId: 'U0001', channelId });
    const run = await waitFor(async () => {
      const { rows } = await db.query(
        'SELECT id, reminder_version FROM runs WHERE channel_id = $1 AND message_ts IS NOT NULL',
        [channelId],
      );
      return rows[0];
    }, 'the run');
    expect(run.reminder_version).toBe(0);
    expect(reminderEvents.filter((e) => e.payload.runId === run.id)).toEqual([]);
  });
});

describe('the reminder-worker', () => {
  it('DMs the runner at its due time, within a second, with the orders, and reports reminder_sent', async () => {
    const run = await insertRun();
    const scheduled = await schedule(run, 'runner', 3_000);
    const outcome = await reminderOutcome(run, 'runner');
    expect(outcome.status).toBe('sent');
    const [dm] = await postsOf(run, 'runner');
    expect(dm?.channel).toMatch(/^D/);
    expect(dm?.text).toMatch(/^⏰ Pickup in \d+ min: 2 drinks$/);
    expect(JSON.stringify(dm?.blocks)).toContain('flat white');
    const call = stack.emulator.callsTo('chat.postMessage').find((c) => c.response.ts === dm?.ts);
    const lateMs = (call?.at ?? 0) - new Date(scheduled.remindAt).getTime();
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(1_000);
    const sent = await waitFor(
      () => reminderEvents.find((e) => e.type === 'reminder_sent' && e.payload.runId === run.runId),
      'reminder_sent',
    );
    expect(sent.correlationId).toBe(run.correlationId);
    expect(sent.payload).toMatchObject({ kind: 'runner', remindAt: scheduled.remindAt, late: false });
  });

  it('posts the last call in the channel while the run is open, only when the channel has it on', async () => {
    const on = await insertRun({ status: 'open' });
    const off = await insertRun({ status: 'open', channel: { last_call_enabled: false } });
    await schedule(on, 'last_call', 500);
    await schedule(off, 'last_call', 500);
    expect((await reminderOutcome(on, 'last_call')).status).toBe('sent');
    const [post] = await postsOf(on, 'last_call');
    expect(post?.channel).toBe(on.channelId);
    expect(post?.text).toContain('Last call for coffee — closing soon');
    const skipped = await reminderOutcome(off, 'last_call');
    expect(skipped.status).toBe('cancelled');
    expect(skipped.last_error).toMatch(/^skipped: the channel has last calls off/);
    expect(await postsOf(off, 'last_call')).toEqual([]);
  });

  it('sends nothing to a disabled channel, a channel with reminders off, or for a cancelled run', async () => {
    const disabled = await insertRun({ channel: { enabled: false } });
    const off = await insertRun({ channel: { reminders_enabled: false } });
    const cancelled = await insertRun({ status: 'cancelled' });
    for (const run of [disabled, off, cancelled]) await schedule(run, 'runner', 300);
    expect((await reminderOutcome(disabled, 'runner')).last_error).toMatch(
      /^skipped: the channel is disabled/,
    );
    expect((await reminderOutcome(off, 'runner')).last_error).toMatch(
      /^skipped: the channel’s runner reminders are off/,
    );
    expect((await reminderOutcome(cancelled, 'runner')).last_error).toMatch(
      /^cancelled: the run was cancelled/,
    );
    for (const run of [disabled, off, cancelled]) expect(await postsOf(run, 'runner')).toEqual([]);
  });

  it('fires only the newest version when the pickup time is edited, and ignores an older one arriving late', async () => {
    const run = await insertRun();
    await db.query('UPDATE runs SET reminder_version = 3 WHERE id = $1', [run.runId]);
    await schedule(run, 'runner', 1_500, 2); // the pickup was then edited:
    const newer = await schedule(run, 'runner', 3_500, 3);
    await schedule(run, 'runner', 500, 1); // a redelivered, older schedule
    const outcome = await reminderOutcome(run, 'runner');
    expect(outcome.status).toBe('sent');
    expect(outcome.payload.version).toBe(3);
    const posts = await postsOf(run, 'runner');
    expect(posts).toHaveLength(1);
    const call = stack.emulator.callsTo('chat.postMessage').find((c) => c.response.ts === posts[0]?.ts);
    expect(call?.at).toBeGreaterThanOrEqual(new Date(newer.remindAt).getTime());
  });

  it('sends a reminder due before it arrived at once, as late, while pickup is still ahead; after pickup it is missed', async () => {
    const stillUseful = await insertRun();
    const tooLate = await insertRun({ pickupInMs: -1_000 });
    await schedule(stillUseful, 'runner', -120_000);
    await schedule(tooLate, 'runner', -60_000);
    expect((await reminderOutcome(stillUseful, 'runner')).status).toBe('sent');
    const sent = await waitFor(
      () => reminderEvents.find((e) => e.type === 'reminder_sent' && e.payload.runId === stillUseful.runId),
      'reminder_sent',
    );
    expect(sent.payload.late).toBe(true);
    // Its deadline is the pickup: past it, nothing is sent, and it is recorded as missed.
    const missed = await reminderOutcome(tooLate, 'runner');
    expect(missed.status).toBe('cancelled');
    expect(missed.last_error).toMatch(/^missed: /);
    expect(await postsOf(tooLate, 'runner')).toEqual([]);
  });

  it('waits for the close before a runner reminder, and drops it when the run closes without a runner', async () => {
    const run = await insertRun({ status: 'open' });
    await schedule(run, 'runner', 200);
    await waitFor(async () => {
      const { rows } = await db.query(`SELECT last_error FROM slack_effects WHERE key = $1`, [
        `reminder:${run.runId}:runner`,
      ]);
      return String(rows[0]?.last_error ?? '').includes('still open') || undefined;
    }, 'the reminder to wait for the close');
    await db.query(`UPDATE runs SET status = 'closed', closed_at = now(), runner_id = NULL WHERE id = $1`, [
      run.runId,
    ]);
    const outcome = await reminderOutcome(run, 'runner');
    expect(outcome.status).toBe('cancelled');
    expect(outcome.last_error).toMatch(/closed without a runner/);
  });

  it('retries a DM Slack rate-limits (429 + Retry-After) and sends it once', async () => {
    const run = await insertRun();
    stack.emulator.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await schedule(run, 'runner', 300);
    const outcome = await reminderOutcome(run, 'runner');
    expect(outcome.status).toBe('sent');
    const posts = await postsOf(run, 'runner');
    expect(posts).toHaveLength(1);
    const dmPosts = stack.emulator
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === posts[0]?.channel);
    expect(dmPosts.map((c) => c.status)).toEqual([429, 200]);
    // Slack asked for 1 s: the second try waited for it.
    expect((dmPosts[1]?.at ?? 0) - (dmPosts[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('reports reminder_failed with Slack’s error when the DM is refused for good, and counts it', async () => {
    const run = await insertRun();
    stack.emulator.failNext('conversations.open', { error: 'account_inactive' });
    await schedule(run, 'runner', 300);
    const outcome = await reminderOutcome(run, 'runner');
    expect(outcome.status).toBe('failed');
    const failed = await waitFor(
      () => reminderEvents.find((e) => e.type === 'reminder_failed' && e.payload.runId === run.runId),
      'reminder_failed',
    );
    expect(failed.payload.error).toMatch(/^account_inactive/);
    expect(failed.correlationId).toBe(run.correlationId);
    const worker = stack.services.find((s) => s.name === 'reminder-worker' && s.child.exitCode === null);
    const metrics = await (await fetch(`${worker?.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /coffeebuddy_reminders_total\{kind="runner",outcome="failed",service="reminder-worker"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /coffeebuddy_slack_effects_total\{kind="reminder_runner",outcome="failed",error="account_inactive",service="reminder-worker"\} [1-9]/,
    );
    expect(
      stack.logsContaining('Slack effect failed').some((l) => l.correlationId === run.correlationId),
    ).toBe(true);
  });

  it('fires each pending reminder once across a worker killed and restarted', async () => {
    const runs = await Promise.all(Array.from({ length: 10 }, () => insertRun()));
    for (const [i, run] of runs.entries()) await schedule(run, 'runner', 2_000 + i * 300);
    await waitFor(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM slack_effects WHERE key = ANY($1)`, [
        runs.map((r) => `reminder:${r.runId}:runner`),
      ]);
      return rows[0].n === runs.length || undefined;
    }, 'the reminders to be scheduled');
    await stack.stopService('reminder-worker', 'SIGKILL');
    await stack.startService('reminder-worker');
    for (const run of runs) expect((await reminderOutcome(run, 'runner', 60_000)).status).toBe('sent');
    for (const run of runs) expect(await postsOf(run, 'runner')).toHaveLength(1);
  }, 120_000);
});
