import { createHmac, randomBytes } from 'node:crypto';
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
import type { Admin, Kafka } from 'kafkajs';
import { buildApp, type GatewayApp } from '../src/app';
import { type GatewayConfig, loadGatewayConfig } from '../src/config';

const secret = randomBytes(16).toString('hex');
const config: GatewayConfig = loadGatewayConfig({
  SLACK_SIGNING_SECRET: secret,
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  BODY_LIMIT_BYTES: '4096',
  PUBLISH_TIMEOUT_MS: '1500',
});
const kafkaConfig = kafkaTestConfig();
const { logger, lines } = capturingLogger('info');
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

async function postCommand(body: string, headers: Record<string, string> = sign(body)) {
  return app.inject({
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
  producer = createProducer({ kafka, registry: new MessageRegistry(kafkaConfig.schemaRegistryUrl), logger });
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
    expect((await postCommand(b, headers)).statusCode).toBe(200);
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
    expect(response.body).toBe('');
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
    ['8:30', '8:30 has already passed'],
    ['in 0m', 'is not a duration'],
    ['in 14h', 'at most 12 hours ahead'],
    [`10:30 ${'n'.repeat(300)}`, 'keep it under 280'],
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
    const started = Date.now();
    const response = await isolated.inject({
      method: 'POST',
      url: '/slack/commands',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) },
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/couldn't confirm/),
    });
    expect(await db.run.count({ where: { channelId } })).toBe(0);
    await isolated.close();
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
