import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { WebClient } from '@slack/web-api';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  createSlackDriver,
  RESPONSE_URL_MAX_USES,
  RESPONSE_URL_TTL_MS,
  type SlackDriver,
  signSlackRequest,
} from '../src';
import { type Started, startEmulator } from './support';

const SIGNING_SECRET = 'test-signing-secret';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

/**
 * A stand-in for the app's gateway. It checks signatures with its own computation (not the
 * driver's, not the app's): HMAC-SHA256 over `v0:{ts}:{body}`, constant-time compare, 5-minute window.
 */
function verifySignature(
  headers: Received['headers'],
  rawBody: string,
  nowSeconds: number,
): string | undefined {
  const timestamp = headers['x-slack-request-timestamp'];
  const signature = headers['x-slack-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return 'missing_headers';
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return 'stale_timestamp';
  const expected = Buffer.from(
    `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad_signature';
  return undefined;
}

function buildGateway(client: () => WebClient): { app: FastifyInstance; received: Received[] } {
  const app = Fastify();
  const received: Received[] = [];
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addHook('preHandler', async (request, reply) => {
    const rawBody = String(request.body ?? '');
    received.push({ path: request.url, headers: request.headers, rawBody });
    const problem = verifySignature(request.headers, rawBody, Math.floor(Date.now() / 1000));
    if (problem) return reply.code(401).send({ error: problem });
    return undefined;
  });
  app.post('/slack/commands', async (request, reply) => {
    const fields = Object.fromEntries(new URLSearchParams(String(request.body)));
    if (fields.text === 'modal') {
      await client().views.open({
        trigger_id: fields.trigger_id as string,
        view: {
          type: 'modal',
          callback_id: 'order_modal',
          private_metadata: JSON.stringify({ channel: fields.channel_id }),
          title: { type: 'plain_text', text: 'Place order' },
          submit: { type: 'plain_text', text: 'Order' },
          blocks: [
            {
              type: 'input',
              block_id: 'order',
              label: { type: 'plain_text', text: 'Your order' },
              element: { type: 'plain_text_input', action_id: 'text' },
            },
            {
              type: 'actions',
              block_id: 'modal_actions',
              elements: [
                { type: 'button', action_id: 'use_last', text: { type: 'plain_text', text: 'Use last' } },
              ],
            },
          ],
        },
      });
      return reply.code(200).send();
    }
    return { response_type: 'ephemeral', text: `Got ${fields.command} ${fields.text}` };
  });
  app.post('/slack/interactions', async (request) => {
    const payload = JSON.parse(new URLSearchParams(String(request.body)).get('payload') as string);
    if (payload.type === 'view_submission') {
      const order = payload.view.state.values.order?.text?.value as string | undefined;
      if (!order) return { response_action: 'errors', errors: { order: 'Please enter an order' } };
    }
    return '';
  });
  app.post('/slack/events', async (request) => {
    const body = JSON.parse(String(request.body));
    if (body.type === 'url_verification') return { challenge: body.challenge };
    return '';
  });
  return { app, received };
}

let started: Started;
let gateway: { app: FastifyInstance; received: Received[] };
let driver: SlackDriver;
let gatewayUrl: string;

beforeEach(async () => {
  started = await startEmulator();
  gateway = buildGateway(() => started.client());
  await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  gatewayUrl = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
  driver = createSlackDriver({ gatewayUrl, signingSecret: SIGNING_SECRET, emulator: started.emulator });
});

afterEach(async () => {
  await gateway.app.close();
  await started.emulator.stop();
});

function lastForm(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(gateway.received.at(-1)?.rawBody));
}

function lastPayload(): Record<string, unknown> {
  return JSON.parse(lastForm().payload as string);
}

describe('signing', () => {
  it('signs v0:{timestamp}:{body} with HMAC-SHA256', () => {
    const body = 'token=x&team_id=T0001';
    const expected = `v0=${createHmac('sha256', 'secret').update(`v0:1531420618:${body}`).digest('hex')}`;
    expect(signSlackRequest('secret', 1531420618, body)).toBe(expected);
  });

  it("matches Slack's documented example", () => {
    // From Slack's "Verifying requests from Slack" guide.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});

describe('slash commands', () => {
  it('sends every field Slack sends, form-encoded and signed, to /slack/commands', async () => {
    const response = await driver.slashCommand({
      command: '/coffee',
      text: '10:30 oat flat whites',
      userId: 'U0003',
      channelId: 'C0001',
    });
    expect(response).toMatchObject({
      status: 200,
      body: { response_type: 'ephemeral', text: 'Got /coffee 10:30 oat flat whites' },
    });
    expect(response.latencyMs).toBeGreaterThan(0);
    const received = gateway.received[0] as Received;
    expect(received.path).toBe('/slack/commands');
    expect(received.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received.headers['user-agent']).toMatch(/^Slackbot 1\.0/);
    const fields = lastForm();
    expect(Object.keys(fields)).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(fields).toMatchObject({
      team_id: 'T0001',
      team_domain: 'coffeebuddy-dev',
      channel_id: 'C0001',
      channel_name: 'coffee',
      user_id: 'U0003',
      user_name: 'alan',
      command: '/coffee',
      text: '10:30 oat flat whites',
      api_app_id: 'A0COFFEE01',
      is_enterprise_install: 'false',
    });
    expect(fields.response_url).toBe(response.sent.responseUrl);
    expect(fields.response_url?.startsWith(`${started.emulator.baseUrl}/response-url/`)).toBe(true);
    expect(fields.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
  });

  it.each([
    ['M&S run <3', 'M&amp;S run &lt;3'],
    ['a &amp; b', 'a &amp;amp; b'],
    ['with @grace and @nobody in #coffee', 'with <@U0002|grace> and @nobody in <#C0001|coffee>'],
    ['@here @channel @everyone!', '<!here> <!channel> <!everyone>!'],
    ['menu https://blue.door/m?a=1&b=2, thanks', 'menu <https://blue.door/m?a=1&amp;b=2>, thanks'],
    ['email@grace.example', 'email@grace.example'],
  ])('sends typed %j as Slack does: %j', async (typed, sent) => {
    await driver.slashCommand({ text: typed, userId: 'U0003', channelId: 'C0001' });
    expect(lastForm().text).toBe(sent);
  });

  it('sends sentText exactly, for sequences a composer cannot make', async () => {
    await driver.slashCommand({
      sentText: '<!subteam^S0614TZR7|@baristas>',
      userId: 'U0003',
      channelId: 'C0001',
    });
    expect(lastForm().text).toBe('<!subteam^S0614TZR7|@baristas>');
  });

  it('hands over a trigger the app can exchange for a modal', async () => {
    const response = await driver.slashCommand({ text: 'modal', userId: 'U0003', channelId: 'C0001' });
    expect(response.status).toBe(200);
    const open = await started.emulator.waitForCall('views.open');
    expect(open.response).toMatchObject({ ok: true, view: { callback_id: 'order_modal' } });
    expect(open.args.trigger_id).toBe(response.sent.triggerId);
  });

  it('the response_url is real: what the app posts is recorded and shown', async () => {
    const command = await driver.slashCommand({ userId: 'U0002', channelId: 'C0001' });
    const waiting = started.emulator.waitForResponse((r) => r.url === command.sent.responseUrl);
    const posted = await fetch(command.sent.responseUrl as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        response_type: 'in_channel',
        text: 'Run started',
        blocks: [{ type: 'divider' }],
      }),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ ok: true });
    const recorded = await waiting;
    expect(recorded).toMatchObject({
      context: { teamId: 'T0001', channelId: 'C0001', userId: 'U0002' },
      body: { response_type: 'in_channel', text: 'Run started' },
      status: 200,
    });
    expect(started.emulator.messagesIn('C0001')).toEqual([
      expect.objectContaining({ text: 'Run started', ephemeral: false, via: 'response_url' }),
    ]);
  });
});

describe('deliberately bad requests', () => {
  const cases: Array<[string, Parameters<SlackDriver['slashCommand']>[1], string]> = [
    ['a signature made with the wrong secret', { signature: 'invalid' }, 'bad_signature'],
    ['no signature', { signature: 'missing' }, 'missing_headers'],
    ['a timestamp 10 minutes old', { timestampOffsetSeconds: -600 }, 'stale_timestamp'],
    ['a body changed after signing', { tamperBody: true }, 'bad_signature'],
    ['no timestamp header', { omitHeaders: ['X-Slack-Request-Timestamp'] }, 'missing_headers'],
  ];

  it.each(cases)('the gateway refuses %s', async (_name, send, problem) => {
    const response = await driver.slashCommand({ userId: 'U0001', channelId: 'C0001' }, send);
    expect(response).toMatchObject({ status: 401, body: { error: problem } });
  });

  it('a stale timestamp is still signed correctly for that timestamp', async () => {
    const response = await driver.slashCommand(
      { userId: 'U0001', channelId: 'C0001' },
      { timestampOffsetSeconds: -600 },
    );
    const timestamp = Number(response.sent.headers['x-slack-request-timestamp']);
    expect(Math.floor(Date.now() / 1000) - timestamp).toBeGreaterThanOrEqual(599);
    expect(response.sent.headers['x-slack-signature']).toBe(
      signSlackRequest(SIGNING_SECRET, timestamp, response.sent.rawBody),
    );
  });

  it('tampered bodies differ from what was signed', async () => {
    const response = await driver.event({ type: 'app_home_opened', user: 'U0001' }, { tamperBody: true });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.sent.rawBody)).toMatchObject({ tampered: true });
  });
});

describe('interactions', () => {
  it('blockAction sends a block_actions payload built from the real message', async () => {
    const client = started.client();
    const posted = await client.chat.postMessage({
      channel: 'C0001',
      text: 'Coffee run',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*Coffee run*' } },
        {
          type: 'actions',
          block_id: 'run_actions',
          elements: [
            {
              type: 'button',
              action_id: 'place_order',
              text: { type: 'plain_text', text: 'Place order' },
              value: 'run-1',
            },
          ],
        },
      ],
    });
    const response = await driver.blockAction({
      actionId: 'place_order',
      userId: 'U0004',
      channelId: 'C0001',
      messageTs: posted.ts as string,
    });
    expect(response.status).toBe(200);
    expect(gateway.received[0]?.path).toBe('/slack/interactions');
    const payload = lastPayload();
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0004', username: 'katherine', name: 'katherine', team_id: 'T0001' },
      api_app_id: 'A0COFFEE01',
      token: expect.any(String),
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C0001', is_ephemeral: false },
      trigger_id: response.sent.triggerId,
      team: { id: 'T0001', domain: 'coffeebuddy-dev' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0001', name: 'coffee' },
      message: {
        type: 'message',
        ts: posted.ts,
        text: 'Coffee run',
        bot_id: 'B0BOT0001',
        blocks: expect.any(Array),
      },
      state: { values: {} },
      response_url: response.sent.responseUrl,
      actions: [
        {
          action_id: 'place_order',
          block_id: 'run_actions',
          text: { type: 'plain_text', text: 'Place order', emoji: true },
          value: 'run-1',
          type: 'button',
          action_ts: expect.stringMatching(/^\d+\.\d{6}$/),
        },
      ],
    });
    // The trigger is live for views.open.
    const opened = await client.views.open({
      trigger_id: response.sent.triggerId as string,
      view: { type: 'modal', title: { type: 'plain_text', text: 'Order' }, blocks: [{ type: 'divider' }] },
    });
    expect(opened.ok).toBe(true);
  });

  it("the action's response_url can replace or delete the original message", async () => {
    const client = started.client();
    const posted = await client.chat.postMessage({ channel: 'C0001', text: 'Run open' });
    const action = await driver.blockAction({
      actionId: 'close_run',
      value: 'run-1',
      userId: 'U0001',
      channelId: 'C0001',
      messageTs: posted.ts as string,
    });
    const post = (body: unknown) =>
      fetch(action.sent.responseUrl as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ replace_original: true, text: 'Run closed' })).status).toBe(200);
    expect(started.emulator.messagesIn('C0001')).toEqual([
      expect.objectContaining({ ts: posted.ts, text: 'Run closed', edited: expect.any(Object) }),
    ]);
    expect((await post({ delete_original: true })).status).toBe(200);
    expect(started.emulator.messagesIn('C0001')).toEqual([]);
  });

  it('blockAction in a modal has a view container', async () => {
    const command = await driver.slashCommand({ text: 'modal', userId: 'U0003', channelId: 'C0001' });
    expect(command.status).toBe(200);
    const viewId = ((await started.emulator.waitForCall('views.open')).response.view as { id: string }).id;
    await driver.blockAction({ actionId: 'use_last', userId: 'U0003', viewId });
    expect(lastPayload()).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: viewId },
      view: { id: viewId, callback_id: 'order_modal' },
      actions: [{ action_id: 'use_last', block_id: 'modal_actions', type: 'button' }],
    });
    expect(lastPayload()).not.toHaveProperty('response_url');
  });

  it('viewSubmission submits the opened view with its callback_id, metadata and values', async () => {
    await driver.slashCommand({ text: 'modal', userId: 'U0003', channelId: 'C0001' });
    const viewId = ((await started.emulator.waitForCall('views.open')).response.view as { id: string }).id;
    const ok = await driver.viewSubmission({
      viewId,
      userId: 'U0003',
      values: { order: { text: 'oat flat white' } },
    });
    expect(ok.status).toBe(200);
    expect(lastPayload()).toMatchObject({
      type: 'view_submission',
      team: { id: 'T0001', domain: 'coffeebuddy-dev' },
      user: { id: 'U0003', name: 'alan' },
      api_app_id: 'A0COFFEE01',
      trigger_id: ok.sent.triggerId,
      view: {
        id: viewId,
        type: 'modal',
        callback_id: 'order_modal',
        private_metadata: '{"channel":"C0001"}',
        state: { values: { order: { text: { type: 'plain_text_input', value: 'oat flat white' } } } },
      },
      response_urls: [],
      is_enterprise_install: false,
    });
    const invalid = await driver.viewSubmission({ viewId, userId: 'U0003', values: { order: { text: '' } } });
    expect(invalid).toMatchObject({
      status: 200,
      body: { response_action: 'errors', errors: { order: 'Please enter an order' } },
    });
  });

  it('viewSubmission without an emulator view takes callback_id and metadata from the input', async () => {
    await driver.viewSubmission({
      callbackId: 'admin_settings',
      privateMetadata: 'C0001',
      userId: 'U0001',
      values: { retention: { days: { type: 'number_input', value: '90' } } },
    });
    expect(lastPayload()).toMatchObject({
      view: {
        id: expect.stringMatching(/^V/),
        callback_id: 'admin_settings',
        private_metadata: 'C0001',
        state: { values: { retention: { days: { type: 'number_input', value: '90' } } } },
      },
    });
  });
});

describe('events', () => {
  it('event wraps the event in an event_callback envelope, JSON, signed', async () => {
    const response = await driver.event({
      type: 'app_home_opened',
      user: 'U0002',
      channel: 'D0001',
      tab: 'home',
    });
    expect(response.status).toBe(200);
    const received = gateway.received[0] as Received;
    expect(received.path).toBe('/slack/events');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['x-slack-retry-num']).toBeUndefined();
    expect(JSON.parse(received.rawBody)).toMatchObject({
      token: expect.any(String),
      team_id: 'T0001',
      api_app_id: 'A0COFFEE01',
      event: { type: 'app_home_opened', user: 'U0002', event_ts: expect.any(String) },
      type: 'event_callback',
      event_id: expect.stringMatching(/^Ev/),
      event_time: expect.any(Number),
      authorizations: [{ team_id: 'T0001', user_id: 'U0BOT0001', is_bot: true }],
    });
  });

  it('retries carry X-Slack-Retry-Num/Reason and the same event_id', async () => {
    const first = await driver.event({ type: 'app_uninstalled' });
    await driver.event(
      { type: 'app_uninstalled' },
      { retryNum: 1, retryReason: 'http_timeout', eventId: first.sent.eventId },
    );
    const retry = gateway.received[1] as Received;
    expect(retry.headers['x-slack-retry-num']).toBe('1');
    expect(retry.headers['x-slack-retry-reason']).toBe('http_timeout');
    expect(JSON.parse(retry.rawBody).event_id).toBe(first.sent.eventId);
  });

  it('urlVerification sends the challenge', async () => {
    const response = await driver.urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
    expect(response.body).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    expect(JSON.parse(gateway.received[0]?.rawBody as string)).toMatchObject({ type: 'url_verification' });
  });
});

describe('a driver talking to an emulator over HTTP', () => {
  it('registers triggers and response URLs remotely', async () => {
    const remote = createSlackDriver({
      gatewayUrl,
      signingSecret: SIGNING_SECRET,
      emulator: started.emulator.baseUrl,
    });
    const response = await remote.slashCommand({ text: 'modal', userId: 'U0003', channelId: 'C0001' });
    expect(response.status).toBe(200);
    expect(lastForm()).toMatchObject({ user_name: 'alan', channel_name: 'coffee' });
    await remote.slashCommand({ text: '@ada & #general', userId: 'U0003', channelId: 'C0001' });
    expect(lastForm().text).toBe('<@U0001|ada> &amp; <#C0002|general>');
    await remote.slashCommand({ text: 'modal', userId: 'U0003', channelId: 'C0001' });
    const open = await started.emulator.waitForCall('views.open');
    expect(open.response.ok).toBe(true);
    const posted = await fetch(response.sent.responseUrl as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Only you can see this' }),
    });
    expect(posted.status).toBe(200);
    expect(started.emulator.responses).toHaveLength(1);
    expect(started.emulator.state.messages[0]).toMatchObject({ ephemeral: true, visible_to: 'U0003' });
  });
});

describe('response_url rules', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('accepts five posts, then answers used_url', async () => {
    const url = started.emulator.createResponseUrl({ teamId: 'T0001', channelId: 'C0001', userId: 'U0001' });
    for (let i = 0; i < RESPONSE_URL_MAX_USES; i += 1)
      expect((await post(url, { text: `${i}` })).status).toBe(200);
    const sixth = await post(url, { text: 'again' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: 'used_url' });
  });

  it('expires after 30 minutes', async () => {
    const url = started.emulator.createResponseUrl({ teamId: 'T0001', channelId: 'C0001', userId: 'U0001' });
    started.clock.advance(RESPONSE_URL_TTL_MS + 1);
    expect(await (await post(url, { text: 'late' })).json()).toEqual({ ok: false, error: 'expired_url' });
  });

  it('checks blocks like the Web API does', async () => {
    const url = started.emulator.createResponseUrl({ teamId: 'T0001', channelId: 'C0001', userId: 'U0001' });
    const response = await post(url, {
      text: 'x',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(started.emulator.responses[0]).toMatchObject({ status: 400 });
  });
});
