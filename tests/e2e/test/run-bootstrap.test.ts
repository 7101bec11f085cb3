import { createKafka, createMessage, createProducer, MessageRegistry, TOPICS } from '@coffeebuddy/contracts';
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
 * From a signed `/coffee` to the run row, the run_created event on Kafka and the run message in
 * the emulator — through the real gateway and runs-service processes.
 */

const kafkaConfig = kafkaTestConfig();
let stack: Stack;
let driver: SlackDriver;
let db: pg.Client;
let eventsConsumer: Consumer;
const runEvents: { correlationId: string; type: string; payload: Record<string, unknown> }[] = [];

beforeAll(async () => {
  // The gateway logs a published command at debug (per-request lines are not for info); the
  // correlation ID must be on it all the same.
  stack = await startStack({ env: { 'slack-gateway': { LOG_LEVEL: 'debug' } } });
  driver = createSlackDriver({
    gatewayUrl: stack.gatewayUrl,
    signingSecret: stack.signingSecret,
    emulator: stack.emulator,
  });
  db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  // Read run events as a plain Kafka consumer would (the registry wire format, JSON after 5 bytes).
  const kafka = createKafka(kafkaConfig, 'e2e-events-reader', pino({ level: 'error' }));
  const groupId = uniqueGroup('e2e-run-events');
  await startGroupAtEnd(kafka, groupId, [TOPICS.runEvents]);
  eventsConsumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await eventsConsumer.connect();
  await eventsConsumer.subscribe({ topic: TOPICS.runEvents });
  await eventsConsumer.run({
    eachMessage: async ({ message }) => {
      if (message.value?.[0] !== 0) return;
      runEvents.push(JSON.parse(message.value.subarray(5).toString()));
    },
  });
}, 120_000);

afterAll(async () => {
  await eventsConsumer?.disconnect();
  await db?.end();
  await stack?.stop();
});

function newChannel(): string {
  const id = uniqueSlackId('C');
  stack.emulator.addChannel({ id, name: `coffee-${id.toLowerCase()}` });
  return id;
}

describe('run bootstrap through the real stack', () => {
  it('turns a signed /coffee into a run row, a run_created event and a run message, with one correlation ID', async () => {
    const channelId = newChannel();
    const response = await driver.slashCommand({
      text: 'in 30m oat flat whites at Blue Door',
      userId: 'U0001',
      channelId,
    });
    expect(response.status).toBe(200);
    expect(response.latencyMs).toBeLessThan(2_000);

    const post = await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === channelId,
      20_000,
    );
    expect(post.response.ok).toBe(true);
    const blocks = JSON.stringify(post.args.blocks);
    expect(blocks).toContain('Coffee run');
    expect(blocks).toContain('oat flat whites at Blue Door');
    expect(blocks).toContain('Place order');
    expect(blocks).toContain('Use my last order');
    expect(blocks).toContain('Close run');
    expect(blocks).toContain('*Orders:* 0 people');

    const run = await waitFor(async () => {
      const { rows } = await db.query('SELECT * FROM runs WHERE channel_id = $1 AND message_ts IS NOT NULL', [
        channelId,
      ]);
      return rows[0];
    }, 'the run row with its message ts');
    expect(run).toMatchObject({
      status: 'open',
      initiator_id: 'U0001',
      note: 'oat flat whites at Blue Door',
      pickup_text: 'in 30m',
    });
    expect(run.message_ts).toBe(post.response.ts);
    expect(run.pickup_at.getTime() - Date.now()).toBeGreaterThan(25 * 60_000);

    const event = await waitFor(
      () => runEvents.find((e) => e.type === 'run_created' && e.payload.channelId === channelId),
      'run_created',
    );
    expect(event.payload).toMatchObject({ runId: run.id, channelId, initiatorId: 'U0001' });
    expect(event.correlationId).toBe(run.correlation_id);
    // The relay marks the row after the broker acknowledged the event (same transaction).
    const published = await waitFor(async () => {
      const { rows } = await db.query('SELECT published_at FROM outbox_events WHERE correlation_id = $1', [
        run.correlation_id,
      ]);
      return rows[0]?.published_at ?? undefined;
    }, 'the outbox row to be marked published');
    expect(published).toBeInstanceOf(Date);

    // The same correlation ID in every service's logs: the gateway, runs-service, and the
    // reminder-worker that scheduled the run's reminders (it has a pickup time).
    const services = await waitFor(() => {
      const logged = new Set(stack.logsContaining(run.correlation_id).map((l) => l.service));
      return logged.size === 3 ? logged : undefined;
    }, 'log lines with the correlation ID from every service');
    expect(services).toEqual(new Set(['slack-gateway', 'runs-service', 'reminder-worker']));
  });

  it('points a second /coffee to the open run instead of creating another', async () => {
    const channelId = newChannel();
    await driver.slashCommand({ text: '', userId: 'U0001', channelId });
    await stack.emulator.waitForCall('chat.postMessage', (c) => c.args.channel === channelId, 20_000);
    const second = await driver.slashCommand({ text: 'oat please', userId: 'U0002', channelId });
    expect(second.status).toBe(200);
    const answer = await stack.emulator.waitForResponse(
      (r) => r.context.channelId === channelId && String(r.body.text).includes('already a coffee run open'),
      20_000,
    );
    expect(answer.context.userId).toBe('U0002');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toContain('<@U0001>');
    const { rows } = await db.query('SELECT count(*)::int AS n FROM runs WHERE channel_id = $1', [channelId]);
    expect(rows[0].n).toBe(1);
    expect(
      stack.emulator.callsTo('chat.postMessage').filter((c) => c.args.channel === channelId),
    ).toHaveLength(1);
  });

  it('cancels the run and tells the person when the bot cannot post in the channel', async () => {
    const channelId = uniqueSlackId('C'); // unknown to the emulator: channel_not_found
    await driver.slashCommand({ text: '', userId: 'U0001', channelId });
    const answer = await stack.emulator.waitForResponse(
      (r) => r.context.channelId === channelId && String(r.body.text).includes('invite me'),
      20_000,
    );
    expect(answer.body.response_type).toBe('ephemeral');
    const { rows } = await db.query('SELECT status FROM runs WHERE channel_id = $1', [channelId]);
    expect(rows).toEqual([{ status: 'cancelled' }]);
  });

  it('answers a /coffee that waited too long in Kafka as expired and starts nothing', async () => {
    const channelId = newChannel();
    const kafka = createKafka(kafkaConfig, 'e2e-stale-producer', pino({ level: 'error' }));
    const producer = createProducer({
      kafka,
      registry: new MessageRegistry(kafkaConfig.schemaRegistryUrl),
      logger: pino({ level: 'error' }),
    });
    await producer.connect();
    const responseUrl = stack.emulator.createResponseUrl({ teamId: 'T0001', channelId, userId: 'U0001' });
    const stale = createMessage(
      'slash_command',
      { correlationId: `stale-${channelId}`, teamId: 'T0001', channelId, userId: 'U0001' },
      {
        command: '/coffee',
        text: '',
        intent: 'start_run',
        run: { pickupAt: null, pickupText: null, note: null },
        triggerId: 'stale.trigger',
        responseUrl,
        receivedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
      },
    );
    await producer.send(TOPICS.runCommands, stale);
    await producer.disconnect();
    const answer = await stack.emulator.waitForResponse((r) => r.context.channelId === channelId, 20_000);
    expect(answer.body.text).toMatch(/from 20 minutes ago in time, so no run was started/);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM runs WHERE channel_id = $1', [channelId]);
    expect(rows[0].n).toBe(0);
  });

  it('publishes the App Home once even when Slack retries the event', async () => {
    const first = await driver.event({
      type: 'app_home_opened',
      user: 'U0003',
      channel: 'D0003HOME',
      tab: 'home',
    });
    expect(first.status).toBe(200);
    const eventId = first.sent.eventId;
    const retry = await driver.event(
      { type: 'app_home_opened', user: 'U0003', channel: 'D0003HOME', tab: 'home' },
      { retryNum: 1, retryReason: 'http_timeout', ...(eventId ? { eventId } : {}) },
    );
    expect(retry.status).toBe(200);
    await stack.emulator.waitForCall('views.publish', (c) => c.args.user_id === 'U0003', 20_000);
    // Give the redelivered copy time to be consumed (and dropped).
    await waitFor(
      () => stack.logsContaining('already processed').find((l) => l.type === 'app_home_opened'),
      'the retry to be dropped',
    );
    expect(stack.emulator.callsTo('views.publish').filter((c) => c.args.user_id === 'U0003')).toHaveLength(1);
  });
});
