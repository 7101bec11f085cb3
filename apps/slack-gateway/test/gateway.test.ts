import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import {
  createKafka,
  createProducer,
  type MessageProducer,
  MessageRegistry,
  provisionTopics,
  TOPICS,
} from '@coffeebuddy/contracts';
import { capturingLogger, kafkaTestConfig, uniqueSlackId } from '@coffeebuddy/contracts/testing';
import { createDb, type Db } from '@coffeebuddy/db';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import { createMetricsRegistry } from '@coffeebuddy/service-kit';
import { type HostileCase, meetsExpectation, sampleHostileCases } from '@coffeebuddy/slack-emulator';
import type { Admin, Kafka } from 'kafkajs';
import { buildApp, type GatewayApp } from '../src/app';
import { type GatewayConfig, loadGatewayConfig } from '../src/config';
import { registerGatewaySchemas } from '../src/schemas';

const secret = randomBytes(16).toString('hex');
const config: GatewayConfig = loadGatewayConfig({
  SLACK_SIGNING_SECRET: secret,
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  BODY_LIMIT_BYTES: '4096',
});
const kafkaConfig = kafkaTestConfig();
const { logger, lines } = capturingLogger('debug');
let database: TestDatabase;
let db: Db;
let kafka: Kafka;
let admin: Admin;
let producer: MessageProducer;
let app: GatewayApp;
// 09:00 in Berlin.
let clock = new Date('2026-11-25T08:00:00Z');

function sign(body: string, timestamp = Math.floor(clock.getTime() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

function commandBody(text: string, overrides: Record<string, string> = {}) {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 'coffeebuddy-dev',
    channel_id: overrides.channel_id ?? uniqueSlackId('C'),
    channel_name: 'coffee',
    user_id: 'U0001',
    user_name: 'ada',
    command: '/coffee',
    text,
    api_app_id: 'A0001',
    response_url: 'http://127.0.0.1:1/response-url/1',
    trigger_id: '1234.5678.abcdef',
    ...overrides,
  }).toString();
}

async function postCommand(
  body: string,
  headers: Record<string, string> = sign(body),
  target: GatewayApp = app,
) {
  return target.inject({
    method: 'POST',
    url: '/slack/commands',
    payload: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

const endOffsets = async () => JSON.stringify(await admin.fetchTopicOffsets(TOPICS.runCommands));

function gateway(overrides: Partial<Parameters<typeof buildApp>[0]> = {}) {
  return buildApp({
    config,
    logger,
    metricsRegistry: createMetricsRegistry('slack-gateway'),
    producer,
    db,
    userZone: async () => 'Europe/Berlin',
    now: () => clock,
    ...overrides,
  });
}

beforeAll(async () => {
  database = await createTestDatabase({ migrated: true });
  db = await createDb(database.config);
  kafka = createKafka(kafkaConfig, 'gateway-test', logger);
  admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  const registry = new MessageRegistry(kafkaConfig.schemaRegistryUrl);
  await registerGatewaySchemas(registry);
  producer = createProducer({ kafka, registry, logger });
  await producer.connect();
  app = gateway();
  await app.ready();
});

beforeEach(() => {
  clock = new Date('2026-11-25T08:00:00Z');
});

afterAll(async () => {
  await app?.close();
  await producer?.disconnect();
  await admin?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

describe('configuration', () => {
  const base = { SLACK_SIGNING_SECRET: 's', TOKEN_ENCRYPTION_KEY: 'x' };

  it('fits users.info, a lookup and the publish in the ack budget by default', () => {
    const defaults = loadGatewayConfig(base);
    expect(defaults.ACK_BUDGET_MS).toBe(2000);
    expect(
      defaults.USERS_INFO_TIMEOUT_MS + defaults.LOOKUP_TIMEOUT_MS + defaults.PUBLISH_TIMEOUT_MS,
    ).toBeLessThanOrEqual(defaults.ACK_BUDGET_MS);
  });

  it.each([
    [{ PUBLISH_TIMEOUT_MS: '2500' }, /PUBLISH_TIMEOUT_MS must be <= 2000/],
    [{ ACK_BUDGET_MS: '2500' }, /ACK_BUDGET_MS must be <= 2000/],
    [
      { PUBLISH_TIMEOUT_MS: '1500' },
      /USERS_INFO_TIMEOUT_MS \(500\) \+ LOOKUP_TIMEOUT_MS \(250\) \+ PUBLISH_TIMEOUT_MS \(1500\) = 2250 ms, more than ACK_BUDGET_MS \(2000\)/,
    ],
    [{ ACK_BUDGET_MS: '1000' }, /= 2000 ms, more than ACK_BUDGET_MS \(1000\)/],
  ])('refuses %j, which could answer Slack late', (env, message) => {
    expect(() => loadGatewayConfig({ ...base, ...env })).toThrow(message);
  });

  it('refuses to start with an empty signing secret or a half-configured OAuth', () => {
    expect(() => loadGatewayConfig({ SLACK_SIGNING_SECRET: '', TOKEN_ENCRYPTION_KEY: 'x' })).toThrow(
      /SLACK_SIGNING_SECRET/,
    );
    expect(() => loadGatewayConfig({ TOKEN_ENCRYPTION_KEY: 'x' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() =>
      loadGatewayConfig({ SLACK_SIGNING_SECRET: 's', TOKEN_ENCRYPTION_KEY: 'x', SLACK_CLIENT_ID: 'c' }),
    ).toThrow(/go together/);
  });
});

describe('request verification', () => {
  const body = () => commandBody('10:30 oat');

  it.each([
    ['an invalid signature', (b: string) => ({ ...sign(b), 'x-slack-signature': `v0=${'0'.repeat(64)}` })],
    ['a stale timestamp', (b: string) => sign(b, Math.floor(clock.getTime() / 1000) - 301)],
    ['a future timestamp', (b: string) => sign(b, Math.floor(clock.getTime() / 1000) + 301)],
    ['a tampered body', (b: string) => sign(b.replace('oat', 'soy'))],
    [
      'no signature header',
      (b: string) => ({ 'x-slack-request-timestamp': sign(b)['x-slack-request-timestamp'] }),
    ],
    ['no timestamp header', (b: string) => ({ 'x-slack-signature': sign(b)['x-slack-signature'] })],
  ])('refuses %s with 401 and publishes nothing', async (_name, headersFor) => {
    const b = body();
    const before = await endOffsets();
    const response = await postCommand(b, headersFor(b));
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: 'request_verification_failed' });
    expect(await endOffsets()).toBe(before);
  });

  it('accepts a valid request once and refuses its replay', async () => {
    const b = body();
    const headers = sign(b);
    const first = await postCommand(b, headers);
    // Published and confirmed (not "couldn't confirm"): nothing of it can land later.
    expect(first.json().text).toMatch(/^☕ Starting your coffee run/);
    const before = await endOffsets();
    const replay = await postCommand(b, headers);
    expect(replay.statusCode).toBe(401);
    expect(await endOffsets()).toBe(before);
    expect(lines.some((l) => l.code === 'REPLAYED')).toBe(true);
  });

  it('answers ssl_check and nothing else, whatever rides along', async () => {
    const before = await endOffsets();
    const response = await postCommand(commandBody('10:30', { ssl_check: '1' }));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(await endOffsets()).toBe(before);
  });

  it('refuses bodies over the size limit before verifying them', async () => {
    const b = commandBody('x'.repeat(5000));
    const response = await postCommand(b);
    expect(response.statusCode).toBe(413);
  });
});

describe('/coffee', () => {
  it('acks a valid command and publishes it with a new correlation ID', async () => {
    const channelId = uniqueSlackId('C');
    const before = await admin.fetchTopicOffsets(TOPICS.runCommands);
    const response = await postCommand(commandBody('10:30 oat flat whites', { channel_id: channelId }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      response_type: 'ephemeral',
      text: '☕ Starting your coffee run — pickup at 10:30 (Europe/Berlin), in 1 h 30 min.',
    });
    const after = await admin.fetchTopicOffsets(TOPICS.runCommands);
    const published =
      after.reduce((sum, p) => sum + Number(p.high), 0) - before.reduce((sum, p) => sum + Number(p.high), 0);
    expect(published).toBe(1);
    const line = lines.find((l) => l.msg === '/coffee published' && l.channelId === channelId);
    expect(line?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('explains the commands with /coffee help', async () => {
    const before = await endOffsets();
    const response = await postCommand(commandBody('help'));
    expect(response.json()).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('/coffee [pickup time] [note]'),
    });
    expect(await endOffsets()).toBe(before);
  });

  it.each([
    ['25:00', '"25:00" is not a time of day'],
    ['8:30', '8:30 has passed (it is 09:00 in Europe/Berlin)'],
    ['in 0m', 'is not a duration'],
    ['in 14h', 'at most 12 hours ahead'],
    [`10:30 ${'n'.repeat(281)}`, 'The note is 281 characters; keep it to 280'],
  ])('answers bad input "%s" with its reason and usage, writing nothing', async (text, reason) => {
    const channelId = uniqueSlackId('C');
    const before = await endOffsets();
    const response = await postCommand(commandBody(text, { channel_id: channelId }));
    expect(response.statusCode).toBe(200);
    const json = response.json();
    expect(json.response_type).toBe('ephemeral');
    expect(json.text).toContain(reason);
    expect(json.text).toContain('/coffee [pickup time] [note]');
    expect(await endOffsets()).toBe(before);
    expect(await db.run.count({ where: { channelId } })).toBe(0);
    expect(await db.channel.count({ where: { id: channelId } })).toBe(0);
  });

  it('gives a disabled channel the disabled notice and publishes nothing', async () => {
    const channelId = uniqueSlackId('C');
    await db.channel.create({ data: { id: channelId, teamId: 'T0001', enabled: false } });
    const before = await endOffsets();
    const response = await postCommand(commandBody('10:30', { channel_id: channelId }));
    expect(response.json().text).toMatch(/turned off in this channel/);
    expect(await endOffsets()).toBe(before);
    expect(await db.run.count({ where: { channelId } })).toBe(0);
  });

  it('tells the user honestly when Kafka cannot take the command, and writes nothing', async () => {
    const deadKafka = createKafka({ brokers: ['127.0.0.1:1'] }, 'gateway-test-dead', logger);
    const deadProducer = createProducer({
      kafka: deadKafka,
      registry: new MessageRegistry(kafkaConfig.schemaRegistryUrl),
      logger,
      timeoutMs: 500,
    });
    const isolated = gateway({ producer: deadProducer });
    await isolated.ready();
    const channelId = uniqueSlackId('C');
    const body = commandBody('10:30', { channel_id: channelId });
    const abandonedBefore = await db.commandFate.count({ where: { fate: 'abandoned' } });
    const response = await postCommand(body, sign(body), isolated);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/so no run was started/),
    });
    expect(await db.run.count({ where: { channelId } })).toBe(0);
    // Recorded, so the command stays undone if Kafka takes it after all.
    expect(await db.commandFate.count({ where: { fate: 'abandoned' } })).toBe(abandonedBefore + 1);
    await isolated.close();
  });

  const failingProducer = {
    send: async () => Promise.reject(new Error('broker gone')),
  } as unknown as MessageProducer;

  it('confirms a command Kafka timed out on when runs-service had taken it already', async () => {
    const isolated = gateway({ producer: failingProducer, abandonCommand: async () => 'taken' });
    await isolated.ready();
    const body = commandBody('in 10m');
    const response = await postCommand(body, sign(body), isolated);
    expect(response.json().text).toMatch(/^☕/);
    await isolated.close();
  });

  it('says it cannot confirm (and to look) when even the abandonment cannot be recorded', async () => {
    const isolated = gateway({
      producer: failingProducer,
      abandonCommand: async () => Promise.reject(new Error('database down')),
    });
    await isolated.ready();
    const body = commandBody('in 10m');
    const response = await postCommand(body, sign(body), isolated);
    expect(response.json().text).toMatch(/couldn't confirm that your coffee run started/);
    await isolated.close();
  });
});

describe('the ack budget', () => {
  /** A TCP server that accepts connections and never answers: a broker that hangs. */
  async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    };
  }

  it('answers in time when users.info, the channel lookup and Kafka all hang, and writes nothing', async () => {
    const hole = await blackHole();
    const hangingKafka = createKafka({ brokers: [`127.0.0.1:${hole.port}`] }, 'gateway-test-hang', logger);
    const hangingProducer = createProducer({
      kafka: hangingKafka,
      registry: new MessageRegistry(kafkaConfig.schemaRegistryUrl),
      logger,
      timeoutMs: 60_000,
    });
    const never = () => new Promise<never>(() => undefined);
    const isolated = gateway({ producer: hangingProducer, userZone: never, channelEnabled: never });
    await isolated.ready();
    const channelId = uniqueSlackId('C');
    const body = commandBody('10:30', { channel_id: channelId });
    const response = await postCommand(body, sign(body), isolated);
    expect(response.json()).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/so no run was started/),
    });
    expect(lines.some((l) => l.msg === 'no timezone from users.info' && l.reason === 'timeout')).toBe(true);
    expect(await db.run.count({ where: { channelId } })).toBe(0);
    await isolated.close();
    await hole.close();
  });

  it('reads a clock time in UTC and says so when users.info fails', async () => {
    const isolated = gateway({
      userZone: async () => {
        throw new Error('ratelimited');
      },
    });
    await isolated.ready();
    const body = commandBody('10:30 oat');
    const response = await postCommand(body, sign(body), isolated);
    expect(response.json()).toEqual({
      response_type: 'ephemeral',
      text: "☕ Starting your coffee run — pickup read as 10:30 UTC (in 2 h 30 min) — I couldn't check your timezone.",
    });
    await isolated.close();
  });

  it('does not ask users.info for a relative time', async () => {
    let asked = 0;
    const isolated = gateway({
      userZone: async () => {
        asked += 1;
        return 'Europe/Berlin';
      },
    });
    await isolated.ready();
    const body = commandBody('in 20m oat');
    const response = await postCommand(body, sign(body), isolated);
    expect(response.json().text).toMatch(
      /^☕ Starting your coffee run — pickup in 20 min, at <!date\^\d+\^\{time\}\|08:20 UTC>\.$/,
    );
    expect(asked).toBe(0);
    await isolated.close();
  });
});

describe('orders after the run closed', () => {
  const submission = (metadata: string, value: unknown = 'flat white') =>
    `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'view_submission',
        team: { id: 'T0001' },
        user: { id: 'U0002', team_id: 'T0001' },
        view: {
          id: 'V0001',
          callback_id: 'order_modal',
          private_metadata: metadata,
          state: { values: { order: { text: { type: 'plain_text_input', value } } } },
        },
      }),
    )}`;
  const submit = (body: string) =>
    app.inject({
      method: 'POST',
      url: '/slack/interactions',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) },
    });
  const orderOffsets = async () => JSON.stringify(await admin.fetchTopicOffsets(TOPICS.orderCommands));

  async function runWithStatus(status: 'open' | 'closed' | 'cancelled') {
    const channelId = uniqueSlackId('C');
    await db.channel.create({ data: { id: channelId, teamId: 'T0001' } });
    await db.user.upsert({ where: { id: 'U0001' }, create: { id: 'U0001', teamId: 'T0001' }, update: {} });
    const run = await db.run.create({
      data: { channelId, teamId: 'T0001', initiatorId: 'U0001', status, correlationId: randomUUID() },
    });
    return JSON.stringify({ runId: run.id, channelId });
  }

  it.each([
    ['closed', 'This run closed before you submitted — your order was not placed.'],
    ['cancelled', 'This run was cancelled before you submitted — your order was not placed.'],
  ] as const)(
    'answers a submission for a %s run with a field error and publishes nothing',
    async (status, error) => {
      const metadata = await runWithStatus(status);
      const before = await orderOffsets();
      const response = await submit(submission(metadata));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ response_action: 'errors', errors: { order: error } });
      expect(await orderOffsets()).toBe(before);
    },
  );

  it('says so when the run does not exist at all', async () => {
    const response = await submit(submission(JSON.stringify({ runId: randomUUID(), channelId: 'C0001' })));
    expect(response.json()).toEqual({
      response_action: 'errors',
      errors: { order: 'This coffee run no longer exists — your order was not placed.' },
    });
  });

  it('publishes a submission for an open run and closes the modal', async () => {
    const metadata = await runWithStatus('open');
    const before = await orderOffsets();
    const response = await submit(submission(metadata, 'M&S <3 flat white'));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(await orderOffsets()).not.toBe(before);
  });
});

describe('channel administration', () => {
  const adminOffsets = async () => JSON.stringify(await admin.fetchTopicOffsets(TOPICS.adminCommands));
  const interact = (payload: unknown) => {
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return app.inject({
      method: 'POST',
      url: '/slack/interactions',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) },
    });
  };
  const settingsView = (metadata: string, offset: string) => ({
    type: 'view_submission',
    team: { id: 'T0001' },
    user: { id: 'U0001', team_id: 'T0001' },
    view: {
      id: 'V0002',
      callback_id: 'admin_settings',
      private_metadata: metadata,
      state: {
        values: {
          switches: { flags: { type: 'checkboxes', selected_options: [{ value: 'enabled' }] } },
          reminder_offset: { minutes: { type: 'plain_text_input', value: offset } },
          fairness_window: { days: { type: 'plain_text_input', value: '30' } },
          retention: { days: { type: 'plain_text_input', value: '90' } },
          admins: { users: { type: 'multi_users_select', selected_users: [] } },
          timezone: { zone: { type: 'plain_text_input', value: null } },
        },
      },
    },
  });

  it('publishes /coffee admin to admin-service and says the settings are opening', async () => {
    const before = await adminOffsets();
    const response = await postCommand(commandBody('admin', { channel_id: uniqueSlackId('C') }));
    expect(response.json()).toEqual({
      response_type: 'ephemeral',
      text: "⚙️ Opening CoffeeBuddy's settings for this channel…",
    });
    expect(await adminOffsets()).not.toBe(before);
  });

  it('answers /coffee admin in a DM with where to run it, and publishes nothing', async () => {
    const before = await adminOffsets();
    const response = await postCommand(commandBody('admin', { channel_id: 'D0ABCDEF1' }));
    expect(response.json().text).toMatch(/settings are per channel/);
    expect(await adminOffsets()).toBe(before);
  });

  it('answers a bad setting with a field error and publishes nothing; a good one closes the modal', async () => {
    const metadata = JSON.stringify({ channelId: 'C0001', channelName: 'coffee' });
    const before = await adminOffsets();
    const refused = await interact(settingsView(metadata, '500'));
    expect(refused.json()).toEqual({
      response_action: 'errors',
      errors: { reminder_offset: 'Must be between 1 and 120 minutes.' },
    });
    expect(await adminOffsets()).toBe(before);
    const saved = await interact(settingsView(metadata, '15'));
    expect([saved.statusCode, saved.body]).toEqual([200, '']);
    expect(await adminOffsets()).not.toBe(before);
  });

  it.each([
    ['not JSON', 'admin'],
    ['a channel ID that is not Slack’s', JSON.stringify({ channelId: "C1'; DROP TABLE channels" })],
  ])('refuses settings whose metadata is %s with 400, and publishes nothing', async (_name, metadata) => {
    const before = await adminOffsets();
    const response = await interact(settingsView(metadata, '15'));
    expect(response.statusCode).toBe(400);
    expect(await adminOffsets()).toBe(before);
  });

  it('routes a Home tab click by the DM its view names, and ignores one whose view names none', async () => {
    const home = (metadata: string | undefined) => ({
      type: 'block_actions',
      team: { id: 'T0001' },
      user: { id: 'U0002', team_id: 'T0001' },
      trigger_id: 't.1',
      view: { id: 'V0003', ...(metadata ? { private_metadata: metadata } : {}) },
      actions: [{ action_id: 'home_away_until', type: 'datepicker', selected_date: '2026-12-24' }],
    });
    const before = await adminOffsets();
    expect((await interact(home(undefined))).statusCode).toBe(200);
    expect(await adminOffsets()).toBe(before);
    expect((await interact(home(JSON.stringify({ dmChannelId: 'D0002' })))).statusCode).toBe(200);
    expect(await adminOffsets()).not.toBe(before);
  });
});

describe('bad requests are 4xx, never 5xx', () => {
  it.each([
    ['an unsigned request with an unsupported Content-Type', 415, { 'content-type': 'text/plain' }, 'x'],
    ['an unsigned request with no Content-Type', 415, {}, 'payload=x'],
    [
      'an unsigned request with a made-up Content-Type',
      415,
      { 'content-type': 'application/x-coffee' },
      '{}',
    ],
  ])('refuses %s with %i, publishing nothing', async (_name, status, headers, payload) => {
    for (const url of ['/slack/commands', '/slack/interactions', '/slack/events']) {
      const before = await endOffsets();
      const response = await app.inject({ method: 'POST', url, payload, headers });
      expect(response.statusCode).toBe(status);
      expect(await endOffsets()).toBe(before);
    }
  });

  const signedSubmission = (view: Record<string, unknown>) => {
    const body = `payload=${encodeURIComponent(
      JSON.stringify({ type: 'view_submission', team: { id: 'T0001' }, user: { id: 'U0002' }, view }),
    )}`;
    return app.inject({
      method: 'POST',
      url: '/slack/interactions',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) },
    });
  };
  const metadata = JSON.stringify({ runId: randomUUID(), channelId: 'C0001' });

  it.each([
    [
      'whose value is a number',
      {
        id: 'V1',
        callback_id: 'order_modal',
        private_metadata: metadata,
        state: { values: { order: { text: { value: 42 } } } },
      },
    ],
    [
      'whose private_metadata run ID is not a UUID',
      {
        id: 'V1',
        callback_id: 'order_modal',
        private_metadata: JSON.stringify({ runId: "1' OR '1'='1", channelId: 'C0001' }),
        state: { values: { order: { text: { value: 'tea' } } } },
      },
    ],
    [
      'whose private_metadata is not JSON',
      {
        id: 'V1',
        callback_id: 'order_modal',
        private_metadata: '{',
        state: { values: { order: { text: { value: 'tea' } } } },
      },
    ],
    ['without a view ID', { callback_id: 'order_modal', private_metadata: metadata }],
  ])('refuses a signed view_submission %s with 400, publishing nothing', async (_name, view) => {
    const before = JSON.stringify(await admin.fetchTopicOffsets(TOPICS.orderCommands));
    const response = await signedSubmission(view);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_payload' });
    expect(JSON.stringify(await admin.fetchTopicOffsets(TOPICS.orderCommands))).toBe(before);
  });

  it('logs a flood of refused requests at a bounded rate, and counts every one', async () => {
    const limited = gateway({
      config: { ...config, REFUSAL_LOG_PER_MINUTE: 5 },
      metricsRegistry: createMetricsRegistry('slack-gateway'),
    });
    await limited.ready();
    const mark = lines.length;
    for (let i = 0; i < 50; i += 1) {
      const response = await limited.inject({
        method: 'POST',
        url: '/slack/commands',
        payload: 'x',
        headers: { 'content-type': 'text/plain' },
      });
      expect(response.statusCode).toBe(415);
    }
    const refusedLines = lines.slice(mark).filter((l) => l.msg === 'refused a Slack request');
    expect(refusedLines).toHaveLength(5);
    expect(refusedLines.every((l) => l.level === 40 && l.code === 'UNSUPPORTED_MEDIA_TYPE')).toBe(true);
    expect(lines.slice(mark).some((l) => Number(l.level) >= 50)).toBe(false);
    const metrics = await limited.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(
      'coffeebuddy_gateway_rejected_requests_total{code="UNSUPPORTED_MEDIA_TYPE",service="slack-gateway"} 50',
    );
    await limited.close();
  });
});

describe('hostile requests (generated)', () => {
  // Reproducible: the seed picks the cases; a failure names the case.
  const seed = 20261203;
  const hostileOptions = {
    signingSecret: secret,
    nowSeconds: () => Math.floor(clock.getTime() / 1000),
    bodyLimitBytes: 4096,
  };
  const byKind = new Map<string, HostileCase[]>();
  for (const c of sampleHostileCases(hostileOptions, 1500, seed)) {
    byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  }
  const gatewayTopics = [TOPICS.runCommands, TOPICS.orderCommands, TOPICS.adminCommands];
  // Every refusal logged here (the production limit would leave most of a flood out).
  let hostile: GatewayApp;
  beforeAll(async () => {
    hostile = gateway({
      config: { ...config, REFUSAL_LOG_PER_MINUTE: 1_000_000 },
      metricsRegistry: createMetricsRegistry('slack-gateway'),
    });
    await hostile.ready();
  });
  afterAll(async () => {
    await hostile?.close();
  });
  const allOffsets = async () =>
    JSON.stringify(await Promise.all(gatewayTopics.map((topic) => admin.fetchTopicOffsets(topic))));

  it('generates every kind of abuse', () => {
    expect([...byKind.keys()].sort()).toEqual(
      expect.arrayContaining([
        'content_type_missing',
        'content_type_wrong',
        'deep_json',
        'forged',
        'foreign_run_id',
        'future',
        'headers_no-signature',
        'headers_no-timestamp',
        'huge_field_count',
        'invalid_utf8',
        'json_form_confusion',
        'non_uuid_metadata',
        'oversized',
        'prototype_keys',
        'replayed',
        'stale',
        'tampered',
        'truncated',
        'unknown_action_id',
        'wrong_types',
      ]),
    );
  });

  it.each([...byKind.keys()].sort())(
    'answers every %s request with a 4xx (or a plain 200 when it names nothing we act on), never a 5xx, and publishes nothing',
    async (kind) => {
      const before = await allOffsets();
      const mark = lines.length;
      const wrong: string[] = [];
      let refused = 0;
      for (const c of byKind.get(kind) ?? []) {
        for (const step of c.steps) {
          const response = await hostile.inject({
            method: 'POST',
            url: step.request.path,
            headers: step.request.headers,
            payload: step.request.body,
          });
          if (response.statusCode >= 400) refused += 1;
          if (!meetsExpectation(response.statusCode, step.expect)) {
            wrong.push(
              `${response.statusCode} (expected ${step.expect}) ${response.body.slice(0, 80)} for ${JSON.stringify(step.request.headers)} ${step.request.body.toString('utf8').slice(0, 200)}`,
            );
          }
          // A refusal is logged with the ID the answer names.
          if (response.statusCode >= 400) {
            const id = response.headers['x-correlation-id'];
            expect(
              lines.slice(mark).some((l) => l.correlationId === id && l.msg === 'refused a Slack request'),
            ).toBe(true);
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(lines.slice(mark).filter((l) => Number(l.level) >= 50)).toEqual([]);
      expect(await allOffsets()).toBe(before);
      if (kind !== 'prototype_keys' && kind !== 'unknown_action_id' && kind !== 'foreign_run_id') {
        expect(refused).toBeGreaterThan(0);
      }
      // Still serving: a valid command is acked and published after the flood.
      const ok = await postCommand(commandBody('in 10m'), undefined, hostile);
      expect(ok.statusCode).toBe(200);
      expect(await allOffsets()).not.toBe(before);
    },
  );

  it.each(['constructor', 'hasOwnProperty', 'toString', '__proto__', 'valueOf'])(
    'ignores a signed view_submission whose callback_id is %s, without echoing anything of ours',
    async (callbackId) => {
      const body = `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', team: { id: 'T0001' }, user: { id: 'U0002' }, view: { id: 'V1', callback_id: callbackId } }))}`;
      const response = await app.inject({
        method: 'POST',
        url: '/slack/interactions',
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('');
    },
  );

  it('refuses a body that is not UTF-8 with 400 even when it is signed over its bytes', async () => {
    const body = Buffer.concat([Buffer.from('payload='), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]);
    const timestamp = Math.floor(clock.getTime() / 1000);
    const hmac = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex');
    const response = await app.inject({
      method: 'POST',
      url: '/slack/interactions',
      payload: body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-signature': `v0=${hmac}`,
        'x-slack-request-timestamp': String(timestamp),
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_utf8' });
  });
});

describe('signed but malformed requests', () => {
  const post = (url: string, body: string, type = 'application/x-www-form-urlencoded') =>
    app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': type, ...sign(body) } });

  it.each([
    [
      'a slash command without trigger_id or response_url',
      '/slack/commands',
      commandBody('10:30', { trigger_id: '', response_url: '' }),
    ],
    [
      'a slash command with 5000 characters of text',
      '/slack/commands',
      commandBody('x'.repeat(3900)).replace(/text=x+/, `text=${'y'.repeat(3990)}`),
    ],
    ['an interaction whose payload is null', '/slack/interactions', 'payload=null'],
    ['an interaction whose payload is not JSON', '/slack/interactions', 'payload=%7Bnot-json'],
    [
      'a block action without trigger_id',
      '/slack/interactions',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', team: { id: 'T0001' }, user: { id: 'U0001' }, channel: { id: 'C0001' }, actions: [{ action_id: 'close_run', value: 'x' }] }))}`,
    ],
  ])('answers %s with a 4xx, never a 5xx, and publishes nothing', async (_name, url, body) => {
    const before = await endOffsets();
    const response = await post(url, body);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(await endOffsets()).toBe(before);
  });

  it('ignores events without an event_id or team, and action IDs that are object keys', async () => {
    const event = JSON.stringify({
      type: 'event_callback',
      event: { type: 'app_home_opened', user: 'U0001', channel: 'D0001' },
    });
    expect((await post('/slack/events', event, 'application/json')).statusCode).toBe(200);
    const nullBody = await post('/slack/events', 'null', 'application/json');
    expect(nullBody.statusCode).toBe(400);
    const proto = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', team: { id: 'T0001' }, user: { id: 'U0001' }, channel: { id: 'C0001' }, trigger_id: 't', actions: [{ action_id: 'constructor' }] }))}`;
    expect((await post('/slack/interactions', proto)).statusCode).toBe(200);
  });
});

describe('Events API', () => {
  it('answers url_verification with the challenge', async () => {
    const body = JSON.stringify({ token: 't', challenge: 'abc123', type: 'url_verification' });
    const response = await app.inject({
      method: 'POST',
      url: '/slack/events',
      payload: body,
      headers: { 'content-type': 'application/json', ...sign(body) },
    });
    expect(response.json()).toEqual({ challenge: 'abc123' });
  });
});

describe('ops endpoints', () => {
  it('serves health and Prometheus metrics with the gateway counters', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('coffeebuddy_gateway_rejected_requests_total{code="INVALID_SIGNATURE"');
    expect(metrics.body).toContain('coffeebuddy_gateway_ack_duration_seconds_bucket');
  });
});
