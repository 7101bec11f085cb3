import { randomBytes } from 'node:crypto';
import { capturingLogger, waitFor } from '@coffeebuddy/contracts/testing';
import { createDb, type Db, withTransaction } from '@coffeebuddy/db';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import { createMetricsRegistry } from '@coffeebuddy/service-kit';
import { createSlackEmulator, type SlackEmulator } from '@coffeebuddy/slack-emulator';
import { WebClient } from '@slack/web-api';
import { BotTokenResolver, PrismaInstallationStore } from '../installation-store';
import { slackActions } from '../slack-actions';
import { TokenCipher } from '../token-cipher';
import { SlackClients } from '../web-client';
import { classifyAttemptError } from './classify';
import { createEffectDeliverer, type EffectDeliverer } from './deliverer';
import { recordEffect, recordVersionedEffect, redriveEffects } from './store';
import type { EffectKinds } from './types';

/**
 * The deliverer on the real database and the Slack emulator, with two small kinds: a post of
 * `payload.text` to `channel_id`, and an update of the message in `payload.ts`.
 */

const token = 'xoxb-1000000000001-effects-test';
let emulator: SlackEmulator;
let database: TestDatabase;
let db: Db;
const failures: { key: string; code: string }[] = [];
const { logger, lines } = capturingLogger('info');

const kinds: EffectKinds = {
  test_post: {
    async render(_context, effect) {
      const text = String((effect.payload as { text?: string }).text);
      return { call: 'post', channel: effect.channelId ?? '', messages: [{ text, blocks: [] }] };
    },
    async onFailed(_tx, effect, failure) {
      failures.push({ key: effect.key, code: failure.code });
    },
  },
  test_parts: {
    async render(_context, effect) {
      const parts = Number((effect.payload as { parts?: number }).parts);
      return {
        call: 'post',
        channel: effect.channelId ?? '',
        messages: Array.from({ length: parts }, (_, i) => ({ text: `part ${i}`, blocks: [] })),
      };
    },
  },
  test_update: {
    async render({ db }, effect) {
      // Renders the current text from the database at send time, as run messages do.
      const [row] = await db.$queryRaw<
        { text: string }[]
      >`SELECT name AS text FROM channels WHERE id = 'CSTATE'`;
      return {
        call: 'update',
        channel: effect.channelId ?? '',
        ts: String((effect.payload as { ts?: string }).ts),
        message: { text: row?.text ?? '', blocks: [] },
      };
    },
  },
  test_defer: {
    async render() {
      return { defer: 100, reason: 'waiting for something' };
    },
  },
  test_versioned: {
    // Version 1 is stale (as a reminder whose run moved on) once `releaseStale` is called.
    async render(_context, effect) {
      const { version } = effect.payload as { version: number };
      if (version < 2) {
        await staleGate;
        return { skip: `stale: version ${version} < 2` };
      }
      return {
        call: 'post',
        channel: effect.channelId ?? '',
        messages: [{ text: `versioned v${version}`, blocks: [] }],
      };
    },
  },
};
let releaseStale: () => void = () => undefined;
let staleGate = new Promise<void>((resolve) => {
  releaseStale = resolve;
});

function deliverer(options: { leaseMs?: number } = {}): EffectDeliverer {
  const clients = new SlackClients({ slackApiUrl: emulator.apiUrl, logger, maxRetryAfterSeconds: 0 });
  return createEffectDeliverer({
    db,
    slack: slackActions(
      new BotTokenResolver(
        new PrismaInstallationStore(db, new TokenCipher(randomBytes(32).toString('base64'))),
        token,
      ),
      clients,
    ),
    kinds,
    logger,
    metricsRegistry: createMetricsRegistry('effects-test'),
    backoff: { initialDelayMs: 50, maxDelayMs: 200 },
    ...options,
  });
}

let sequence = 0;
async function record(
  kind: string,
  payload: Record<string, unknown>,
  extra: { deadlineAt?: Date; key?: string; channelId?: string } = {},
): Promise<string> {
  sequence += 1;
  return withTransaction(db, (tx) =>
    recordEffect(tx, {
      kind,
      key: extra.key ?? `test:${sequence}:${kind}`,
      teamId: 'T0001',
      channelId: extra.channelId ?? 'C0001',
      payload,
      correlationId: `corr-${sequence}`,
      ...(extra.deadlineAt ? { deadlineAt: extra.deadlineAt } : {}),
    }),
  );
}

async function effect(id: string) {
  return db.slackEffect.findUniqueOrThrow({ where: { id } });
}

const postsWith = (text: string) => emulator.messagesIn('C0001').filter((m) => m.text === text);

beforeAll(async () => {
  emulator = createSlackEmulator({ botToken: token });
  await emulator.start();
  database = await createTestDatabase({ migrated: true });
  db = await createDb(database.config);
});

afterEach(() => {
  emulator.setLatency(0);
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
  await emulator?.stop();
});

describe('classifyAttemptError', () => {
  const platform = (error: string) =>
    Object.assign(new Error(error), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
  it.each([
    ['internal_error', true, true],
    ['fatal_error', true, true],
    ['request_timeout', true, true],
    ['service_unavailable', true, false],
    ['ratelimited', true, false],
    ['channel_not_found', false, false],
    ['not_in_channel', false, false],
    ['is_archived', false, false],
    ['restricted_action', false, false],
    ['restricted_action_read_only_channel', false, false],
    ['message_not_found', false, false],
    ['cant_update_message', false, false],
    ['ekm_access_denied', false, false],
    ['account_inactive', false, false],
    ['user_not_found', false, false],
    ['a_code_nobody_knows', false, false],
  ])('Slack %s → transient %s, outcome unknown %s', (code, transient, unknown) => {
    const failure = classifyAttemptError(platform(code));
    expect(failure).toMatchObject({ transient, code });
    if (failure.transient) expect(failure.outcomeUnknown).toBe(unknown);
  });

  it('takes Retry-After from a rate limit, and treats network errors as possibly done', () => {
    expect(
      classifyAttemptError(
        Object.assign(new Error('429'), { code: 'slack_webapi_rate_limited_error', retryAfter: 7 }),
      ),
    ).toMatchObject({
      transient: true,
      retryAfterMs: 7_000,
      outcomeUnknown: false,
    });
    expect(
      classifyAttemptError(Object.assign(new Error('socket'), { code: 'slack_webapi_request_error' })),
    ).toMatchObject({
      transient: true,
      outcomeUnknown: true,
    });
    expect(classifyAttemptError(new Error('a bug'))).toMatchObject({ transient: false, code: 'error' });
  });
});

describe('the effects deliverer', () => {
  it('delivers a recorded effect once, however many deliverers ask for it at the same time', async () => {
    const id = await record('test_post', { text: 'only once' });
    emulator.setLatency(100);
    const a = deliverer();
    const b = deliverer();
    await Promise.all([a.deliver([id]), b.deliver([id]), a.runOnce(), b.runOnce()]);
    expect(postsWith('only once')).toHaveLength(1);
    expect(await effect(id)).toMatchObject({ status: 'sent', attempts: 1, slackChannel: 'C0001' });
    const [message] = postsWith('only once');
    expect(message?.metadata).toEqual({
      event_type: 'coffeebuddy_effect',
      event_payload: { effect_id: id, part: 0 },
    });
  });

  it('retries transient Slack errors with backoff until sent, and honours Retry-After', async () => {
    const id = await record('test_post', { text: 'after trouble' });
    emulator.failNext('chat.postMessage', { error: 'service_unavailable' });
    emulator.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const d = deliverer();
    await d.deliver([id]);
    expect(await effect(id)).toMatchObject({ status: 'pending', attempts: 1 });
    await waitFor(async () => {
      await d.runOnce();
      return (await effect(id)).status === 'sent' || undefined;
    }, 'the effect to be sent');
    const row = await effect(id);
    expect(row.attempts).toBe(3);
    expect(postsWith('after trouble')).toHaveLength(1);
    const calls = emulator.callsTo('chat.postMessage').filter((c) => c.args.text === 'after trouble');
    expect(calls.map((c) => c.status)).toEqual([200, 429, 200]);
    // The 429 asked for 1 s: the third attempt waited for it.
    expect((calls[2]?.at ?? 0) - (calls[1]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('fails a permanent error at once and runs the kind’s rule', async () => {
    const id = await record('test_post', { text: 'nowhere' }, { channelId: 'C0404NONE' });
    await deliverer().deliver([id]);
    const row = await effect(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toMatch(/^channel_not_found/);
    expect(failures).toContainEqual({ key: row.key, code: 'channel_not_found' });
    expect(lines.some((l) => l.msg === 'Slack effect failed' && l.correlationId === row.correlationId)).toBe(
      true,
    );
  });

  it('re-drives a failed effect when an operator asks, and it is delivered', async () => {
    const id = await record('test_post', { text: 'second chance' });
    emulator.failNext('chat.postMessage', { error: 'not_in_channel' });
    const d = deliverer();
    await d.deliver([id]);
    expect((await effect(id)).status).toBe('failed');
    expect(await redriveEffects(db, { ids: [id] })).toBe(1);
    await d.runOnce();
    expect(await effect(id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(postsWith('second chance')).toHaveLength(1);
  });

  it('gives up at the deadline with deadline_exceeded', async () => {
    const id = await record('test_post', { text: 'too late' }, { deadlineAt: new Date(Date.now() + 300) });
    emulator.failNext('chat.postMessage', { error: 'internal_error', times: 50 });
    const d = deliverer();
    await waitFor(async () => {
      await d.runOnce();
      return (await effect(id)).status === 'failed' || undefined;
    }, 'the deadline');
    expect((await effect(id)).lastError).toMatch(/^deadline_exceeded/);
    expect(failures.some((f) => f.code === 'deadline_exceeded')).toBe(true);
    emulator.reset();
  });

  it('takes over a lapsed claim and finds the post already made instead of posting again', async () => {
    const id = await record('test_post', { text: 'posted before a crash' });
    // A deliverer claimed it and posted it, then died before recording that it had.
    await db.$executeRaw`UPDATE slack_effects SET status = 'sending', attempts = 1, claimed_by = 'dead',
                           lease_until = now() - interval '1 second' WHERE id = ${id}::uuid`;
    await new WebClient(token, { slackApiUrl: emulator.apiUrl }).chat.postMessage({
      channel: 'C0001',
      text: 'posted before a crash',
      metadata: { event_type: 'coffeebuddy_effect', event_payload: { effect_id: id, part: 0 } },
    });
    await deliverer().runOnce();
    expect(await effect(id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(postsWith('posted before a crash')).toHaveLength(1);
    expect(lines.some((l) => l.msg === 'Slack effect found already delivered' && l.effectId === id)).toBe(
      true,
    );
  });

  it('posts what an interrupted multi-part effect had not posted yet, and only that', async () => {
    const id = await record('test_parts', { parts: 3 });
    emulator.failNext('chat.postMessage', { error: 'fatal_error' }); // part 0 fails, maybe done
    const d = deliverer();
    await d.deliver([id]);
    await waitFor(async () => {
      await d.runOnce();
      return (await effect(id)).status === 'sent' || undefined;
    }, 'all parts');
    const mine = emulator
      .messagesIn('C0001')
      .filter(
        (m) =>
          (m.metadata as { event_payload?: { effect_id?: string } } | undefined)?.event_payload?.effect_id ===
          id,
      );
    expect(mine.map((m) => m.text)).toEqual(['part 0', 'part 1', 'part 2']);
    expect(((await effect(id)).result as { ts: string[] }).ts).toEqual(mine.map((m) => m.ts));
  });

  it('re-asked while in flight: the in-flight send finishes, then the latest state is sent', async () => {
    const posted = await new WebClient(token, { slackApiUrl: emulator.apiUrl }).chat.postMessage({
      channel: 'C0001',
      text: 'v0',
    });
    await db.channel.upsert({
      where: { id: 'CSTATE' },
      create: { id: 'CSTATE', teamId: 'T0001', name: 'v1' },
      update: { name: 'v1' },
    });
    const key = 'test:rearm';
    const input = {
      kind: 'test_update',
      key,
      teamId: 'T0001',
      channelId: 'C0001',
      payload: { ts: posted.ts },
      correlationId: 'c',
    };
    const id = await withTransaction(db, (tx) => recordEffect(tx, input, { rearm: true }));
    emulator.setLatency(300);
    const inFlight = deliverer().deliver([id]);
    await waitFor(
      async () => ((await effect(id)).status === 'sending' ? true : undefined),
      'the send to start',
    );
    await db.channel.update({ where: { id: 'CSTATE' }, data: { name: 'v2' } });
    await withTransaction(db, (tx) => recordEffect(tx, input, { rearm: true }));
    expect((await effect(id)).status).toBe('sending'); // nobody else may take it meanwhile
    await inFlight;
    expect(await effect(id)).toMatchObject({ status: 'sent', generation: 2 });
    const updates = emulator.callsTo('chat.update').filter((c) => c.args.ts === posted.ts);
    expect(updates.map((c) => c.args.text)).toEqual(['v1', 'v2']);
  });

  it('sends the newer version when it was asked for while an older one was being skipped as stale', async () => {
    staleGate = new Promise<void>((resolve) => {
      releaseStale = resolve;
    });
    const input = (version: number) => ({
      kind: 'test_versioned',
      key: 'test:versioned',
      teamId: 'T0001',
      channelId: 'C0001',
      payload: { version, text: 'versioned' },
      correlationId: `v${version}`,
    });
    const id = await withTransaction(db, (tx) => recordVersionedEffect(tx, input(1), 'version'));
    const inFlight = deliverer().deliver([id as string]);
    await waitFor(
      async () => ((await effect(id as string)).status === 'sending' ? true : undefined),
      'the stale send to start',
    );
    await withTransaction(db, (tx) => recordVersionedEffect(tx, input(2), 'version'));
    releaseStale();
    await inFlight;
    await waitFor(
      async () => ((await effect(id as string)).status === 'sent' ? true : undefined),
      'version 2 to be sent',
    );
    expect(await effect(id as string)).toMatchObject({ status: 'sent', generation: 2 });
    expect(postsWith('versioned v2')).toHaveLength(1);
  });

  it('defers without counting attempts, and reports the backlog in metrics', async () => {
    const registry = createMetricsRegistry('effects-metrics-test');
    const d = createEffectDeliverer({ db, slack: {} as never, kinds, logger, metricsRegistry: registry });
    const id = await record('test_defer', {});
    await d.deliver([id]);
    expect(await effect(id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await effect(id)).lastError).toMatch(/deferred: waiting for something/);
    await db.$executeRaw`UPDATE slack_effects SET due_at = now() - interval '42 seconds' WHERE id = ${id}::uuid`;
    const text = await registry.metrics();
    expect(text).toMatch(
      /coffeebuddy_slack_effects_pending\{kind="test_defer",service="effects-metrics-test"\} 1/,
    );
    expect(text).toMatch(
      /coffeebuddy_slack_effects_oldest_pending_age_seconds\{kind="test_defer",service="effects-metrics-test"\} 4\d\./,
    );
    expect(text).toMatch(
      /coffeebuddy_slack_effects_total\{kind="test_defer",outcome="deferred",error="",service="effects-metrics-test"\} 1/,
    );
    await db.$executeRaw`UPDATE slack_effects SET status = 'cancelled' WHERE id = ${id}::uuid`;
  });
});
