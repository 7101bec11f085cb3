import { createKafka, TOPICS } from '@coffeebuddy/contracts';
import {
  kafkaTestConfig,
  startGroupAtEnd,
  uniqueGroup,
  uniqueSlackId,
  waitFor,
} from '@coffeebuddy/contracts/testing';
import { createSlackDriver, type SlackDriver } from '@coffeebuddy/slack-emulator';
import { WebClient } from '@slack/web-api';
import type { Consumer } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { type Stack, startStack } from '../src/stack';

/**
 * Slack effects (DESIGN §9) through the real processes: each failure the issue lists, with the
 * outcome it must have now. Effects are counted in what the emulator stored (what people would
 * see), not in attempts.
 */

const kafkaConfig = kafkaTestConfig();
let stack: Stack;
let driver: SlackDriver;
let db: pg.Pool;
let slack: WebClient;
let eventsConsumer: Consumer;
const runEvents: { type: string; payload: Record<string, unknown> }[] = [];

// A claim whose holder died is taken over after this (production: 30 s).
const LEASE_MS = '3000';

beforeAll(async () => {
  stack = await startStack({ env: { 'runs-service': { EFFECT_LEASE_MS: LEASE_MS } } });
  driver = createSlackDriver({
    gatewayUrl: stack.gatewayUrl,
    signingSecret: stack.signingSecret,
    emulator: stack.emulator,
  });
  // A pool: several runs are opened at once below, and one pg client runs one query at a time.
  db = new pg.Pool({ connectionString: stack.database.url, max: 5 });
  slack = new WebClient(stack.botToken, { slackApiUrl: stack.emulator.apiUrl, retryConfig: { retries: 0 } });
  const kafka = createKafka(kafkaConfig, 'e2e-effects-events', pino({ level: 'error' }));
  const groupId = uniqueGroup('e2e-effects-events');
  await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
  eventsConsumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await eventsConsumer.connect();
  await eventsConsumer.subscribe({ topic: TOPICS.runEvents });
  await eventsConsumer.run({
    eachMessage: async ({ message }) => {
      if (message.value?.[0] === 0) runEvents.push(JSON.parse(message.value.subarray(5).toString()));
    },
  });
}, 120_000);

afterAll(async () => {
  await eventsConsumer?.disconnect();
  await db?.end();
  await stack?.stop();
});

afterEach(() => {
  stack.emulator.setLatency(0);
});

interface OpenRun {
  channelId: string;
  runId: string;
  ts: string;
}

function newChannel(): string {
  const id = uniqueSlackId('C');
  stack.emulator.addChannel({ id, name: `effects-${id.toLowerCase()}` });
  return id;
}

async function runIn(channelId: string): Promise<{ id: string; status: string; message_ts: string | null }> {
  return waitFor(async () => {
    const { rows } = await db.query('SELECT id, status, message_ts FROM runs WHERE channel_id = $1', [
      channelId,
    ]);
    return rows[0];
  }, 'the run');
}

async function openRun(initiator = 'U0001', channelId = newChannel()): Promise<OpenRun> {
  await driver.slashCommand({ text: 'in 30m effects', userId: initiator, channelId });
  const run = await waitFor(
    async () => {
      const { rows } = await db.query(
        'SELECT id, message_ts FROM runs WHERE channel_id = $1 AND message_ts IS NOT NULL',
        [channelId],
      );
      return rows[0];
    },
    'the run message',
    30_000,
  );
  return { channelId, runId: run.id, ts: run.message_ts };
}

/** Orders straight into the database: these tests are about what follows, not about ordering. */
async function addOrders(run: OpenRun, users: string[]): Promise<void> {
  for (const user of users) {
    await db.query('INSERT INTO users (id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [user, 'T0001']);
    await db.query('INSERT INTO orders (run_id, user_id, text) VALUES ($1, $2, $3)', [
      run.runId,
      user,
      `${user} latte`,
    ]);
  }
}

const click = (run: OpenRun, actionId: string, userId: string) =>
  driver.blockAction({ actionId, value: run.runId, userId, channelId: run.channelId, messageTs: run.ts });

/** Effects of a run (or of anything, by key prefix) that are not finished yet. */
async function unfinishedEffects(where: string, value: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM slack_effects WHERE ${where} AND status IN ('pending', 'sending')`,
    [value],
  );
  return rows[0].n;
}

/** Waits for the run to be closed and for every effect of it to be finished. */
async function closedAndSettled(runId: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await db.query("SELECT 1 FROM runs WHERE id = $1 AND status = 'closed'", [runId]);
      return rows[0];
    },
    'the close',
    timeoutMs,
  );
  await settled(runId, timeoutMs);
}

async function settled(runId: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => ((await unfinishedEffects('run_id = $1', runId)) === 0 ? true : undefined),
    'the run’s effects',
    timeoutMs,
  );
}

async function effectOf(runId: string, kind: string) {
  const { rows } = await db.query(
    'SELECT * FROM slack_effects WHERE run_id = $1 AND kind = $2 ORDER BY created_at',
    [runId, kind],
  );
  return rows;
}

/** Messages the emulator holds that an effect posted (by the effect ID in their metadata). */
function postedBy(effectId: string) {
  return stack.emulator
    .messagesIn()
    .filter(
      (m) =>
        (m.metadata as { event_payload?: { effect_id?: string } } | undefined)?.event_payload?.effect_id ===
        effectId,
    );
}

function summariesIn(channelId: string) {
  return stack.emulator.messagesIn(channelId).filter((m) => m.text.includes('Coffee run closed'));
}

const deadLetters = () => stack.logsContaining('dead-letter');

describe('Slack effects', () => {
  it('a run message Slack refuses (restricted_action) cancels the run, says why, and frees the channel', async () => {
    const channelId = newChannel();
    stack.emulator.failNext('chat.postMessage', { error: 'restricted_action' });
    await driver.slashCommand({ text: 'in 20m locked out', userId: 'U0002', channelId });
    const told = await stack.emulator.waitForResponse(
      (r) => r.context.channelId === channelId && String(r.body.text).includes('not allowed to post'),
      20_000,
    );
    expect(told.body.response_type).toBe('ephemeral');
    const cancelled = await runIn(channelId);
    expect(cancelled.status).toBe('cancelled');
    const event = await waitFor(
      () => runEvents.find((e) => e.type === 'run_cancelled' && e.payload.runId === cancelled.id),
      'the run_cancelled event',
    );
    expect(event.payload).toMatchObject({ channelId, reason: 'restricted_action', cancelledById: null });

    // The channel is not locked: the next /coffee starts a run with its message.
    await driver.slashCommand({ text: 'in 20m try again', userId: 'U0002', channelId });
    const next = await waitFor(async () => {
      const { rows } = await db.query(
        "SELECT id FROM runs WHERE channel_id = $1 AND status = 'open' AND message_ts IS NOT NULL",
        [channelId],
      );
      return rows[0];
    }, 'the second run');
    expect(next.id).not.toBe(cancelled.id);
  });

  it('a run message deleted before Close: the close stands, the summary and DM go out, the closer is told', async () => {
    const run = await openRun('U0001');
    await addOrders(run, ['U0002']);
    await slack.chat.delete({ channel: run.channelId, ts: run.ts });
    await click(run, 'close_run', 'U0001');
    const told = await stack.emulator.waitForResponse(
      (r) =>
        r.context.channelId === run.channelId &&
        String(r.body.text).includes("couldn't update the run message"),
      20_000,
    );
    expect(told.body.text).toContain('message_not_found');
    await closedAndSettled(run.runId);
    const [summary] = await effectOf(run.runId, 'run_summary');
    const [dm] = await effectOf(run.runId, 'runner_dm');
    expect(summary.status).toBe('sent');
    expect(dm.status).toBe('sent');
    expect(summariesIn(run.channelId)).toHaveLength(1);
    const { rows } = await db.query('SELECT status, runner_id FROM runs WHERE id = $1', [run.runId]);
    expect(rows[0]).toEqual({ status: 'closed', runner_id: 'U0002' });
  });

  it('an order whose run message was deleted stands, without a dead letter; a fresh message is posted and the person told', async () => {
    const run = await openRun('U0001');
    await db.query("INSERT INTO users (id, team_id) VALUES ('U0003', 'T0001') ON CONFLICT DO NOTHING");
    await db.query(
      "INSERT INTO user_preferences (user_id, channel_id, last_order_text) VALUES ('U0003', $1, 'cortado')",
      [run.channelId],
    );
    await slack.chat.delete({ channel: run.channelId, ts: run.ts });
    await click(run, 'use_last_order', 'U0003');
    const told = await stack.emulator.waitForResponse(
      (r) => r.context.channelId === run.channelId && String(r.body.text).includes('posted a fresh one'),
      20_000,
    );
    expect(told.body.response_type).toBe('ephemeral');
    await settled(run.runId);
    const { rows } = await db.query("SELECT text FROM orders WHERE run_id = $1 AND status = 'active'", [
      run.runId,
    ]);
    expect(rows).toEqual([{ text: 'cortado' }]);
    const fresh = (await runIn(run.channelId)).message_ts;
    expect(fresh).not.toBeNull();
    expect(fresh).not.toBe(run.ts);
    const message = stack.emulator.messagesIn(run.channelId).find((m) => m.ts === fresh);
    expect(JSON.stringify(message?.blocks)).toContain('cortado');
    expect(deadLetters()).toEqual([]);
  });

  it('an App Home publish that fails once (internal_error) is published on retry, once', async () => {
    stack.emulator.failNext('views.publish', { error: 'internal_error' });
    await driver.event({ type: 'app_home_opened', user: 'U0004', channel: 'D0004EFFECT', tab: 'home' });
    const published = await stack.emulator.waitForCall(
      'views.publish',
      (c) => c.args.user_id === 'U0004' && c.response.ok === true,
      20_000,
    );
    expect(published).toBeDefined();
    const calls = stack.emulator.callsTo('views.publish').filter((c) => c.args.user_id === 'U0004');
    expect(calls.map((c) => c.response.ok)).toEqual([false, true]);
    await waitFor(
      async () => ((await unfinishedEffects('key LIKE $1', 'home:%:U0004')) === 0 ? true : undefined),
      'the home effect',
    );
  });

  it('a runner DM Slack refuses: the summary says the runner could not be messaged', async () => {
    const run = await openRun('U0001');
    const runner = uniqueSlackId('U');
    stack.emulator.addUser({ id: runner, name: `runner-${runner.toLowerCase()}` });
    await addOrders(run, [runner]);
    stack.emulator.failNext('conversations.open', { error: 'account_inactive' });
    await click(run, 'close_run', 'U0001');
    await closedAndSettled(run.runId);
    const [dm] = await effectOf(run.runId, 'runner_dm');
    expect(dm).toMatchObject({ status: 'failed' });
    expect(dm.last_error).toMatch(/^account_inactive/);
    const summaries = summariesIn(run.channelId);
    expect(summaries).toHaveLength(1);
    expect(JSON.stringify(summaries[0]?.blocks)).toContain(`I couldn't send <@${runner}> their DM`);
  });

  it('two replicas and their pollers close 50 runs with 300 ms of Slack latency: one summary, closed message and DM each', async () => {
    const replica = await stack.startService('runs-service');
    try {
      const runs = await Promise.all(Array.from({ length: 50 }, () => openRun('U0001')));
      for (const run of runs) await addOrders(run, ['U0002', 'U0003']);
      stack.emulator.setLatency(300);
      await Promise.all(runs.map((run) => click(run, 'close_run', 'U0001')));
      for (const run of runs) await closedAndSettled(run.runId, 90_000);
      for (const run of runs) {
        const [summary] = await effectOf(run.runId, 'run_summary');
        const [dm] = await effectOf(run.runId, 'runner_dm');
        expect(postedBy(summary.id)).toHaveLength(1);
        expect(postedBy(dm.id)).toHaveLength(1);
        expect(summariesIn(run.channelId)).toHaveLength(1);
        const closedUpdates = stack.emulator
          .callsTo('chat.update')
          .filter(
            (c) =>
              c.args.ts === run.ts &&
              c.response.ok === true &&
              JSON.stringify(c.args.blocks).includes('(closed)'),
          );
        expect(closedUpdates).toHaveLength(1);
      }
      // Both replicas delivered some of them (the claim is what keeps them apart).
      const deliverers = new Set(
        stack.services
          .filter((s) => s.name === 'runs-service')
          .filter((s) => s.logs.some((l) => l.msg === 'Slack effect delivered'))
          .map((s) => s.child.pid),
      );
      expect(deliverers.size).toBe(2);
    } finally {
      stack.emulator.setLatency(0);
      await new Promise<void>((resolve) => {
        replica.child.once('exit', () => resolve());
        replica.child.kill('SIGTERM');
      });
    }
  }, 180_000);

  it('a runs-service killed after Slack took the summary, before recording it: still one summary after restart', async () => {
    const run = await openRun('U0001');
    await addOrders(run, ['U0002']);
    // Slack keeps each answer for a while: the summary is stored as soon as it arrives.
    stack.emulator.setLatency(5_000);
    await click(run, 'close_run', 'U0001');
    await waitFor(
      () => (summariesIn(run.channelId).length === 1 ? true : undefined),
      'Slack to have the summary',
    );
    await stack.stopService('runs-service', 'SIGKILL');
    stack.emulator.setLatency(0);
    await stack.startService('runs-service');
    await closedAndSettled(run.runId, 60_000);
    const [summary] = await effectOf(run.runId, 'run_summary');
    expect(summary.status).toBe('sent');
    expect(summariesIn(run.channelId)).toHaveLength(1);
    expect(postedBy(summary.id)).toHaveLength(1);
    expect(
      stack.logsContaining('Slack effect found already delivered').some((l) => l.effectId === summary.id),
    ).toBe(true);
    const [dm] = await effectOf(run.runId, 'runner_dm');
    expect(postedBy(dm.id)).toHaveLength(1);
  }, 120_000);

  it('a row lock held elsewhere (lock_timeout) is waited out, not dead-lettered: the close happens once it goes', async () => {
    const run = await openRun('U0001');
    await addOrders(run, ['U0004']);
    const holder = new pg.Client({ connectionString: stack.database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM runs WHERE id = $1 FOR UPDATE', [run.runId]);
      await click(run, 'close_run', 'U0001');
      await waitFor(
        () =>
          stack
            .logsContaining('lock timeout')
            .find((l) => l.msg === 'handler failed, retrying' && l.transient === true),
        'the close to hit the lock',
        30_000,
      );
      const { rows } = await db.query('SELECT status FROM runs WHERE id = $1', [run.runId]);
      expect(rows[0].status).toBe('open');
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await closedAndSettled(run.runId);
    expect(summariesIn(run.channelId)).toHaveLength(1);
    expect(deadLetters()).toEqual([]);
  }, 90_000);

  it('a transaction that expires waiting (P2028) is retried, not dead-lettered', async () => {
    await stack.stopService('runs-service');
    // Transactions may last 800 ms but wait 10 s for a lock: a held lock expires the transaction.
    await stack.startService('runs-service', {
      DATABASE_TRANSACTION_TIMEOUT_MS: '800',
      DATABASE_LOCK_TIMEOUT_MS: '10000',
    });
    const run = await openRun('U0001');
    await addOrders(run, ['U0002']);
    const holder = new pg.Client({ connectionString: stack.database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM runs WHERE id = $1 FOR UPDATE', [run.runId]);
      await click(run, 'close_run', 'U0001');
      // The close waits for the lock; once its transaction is older than its 800 ms, let it go.
      await waitFor(
        async () => {
          const { rows } = await db.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND now() - xact_start > interval '1 second'`,
          );
          return rows[0];
        },
        'the close transaction to outlive its timeout',
        30_000,
      );
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await waitFor(
      () =>
        stack
          .logsContaining('expired transaction')
          .find((l) => l.msg === 'handler failed, retrying' && l.transient === true),
      'the expired transaction to be retried',
      30_000,
    );
    await closedAndSettled(run.runId);
    expect(summariesIn(run.channelId)).toHaveLength(1);
    expect(deadLetters()).toEqual([]);
  }, 90_000);
});
