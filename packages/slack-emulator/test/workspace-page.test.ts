import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  createSlackEmulator,
  type PageState,
  registerWorkspacePage,
  type SlackEmulator,
  type WorkspacePage,
} from '../src';
import { ORDER_MODAL } from './support';

/**
 * The workspace page's routes, in front of a stand-in gateway that checks Slack's signature with
 * its own HMAC code and answers as each test tells it to.
 */

const SECRET = 'page-test-signing-secret';

interface Received {
  path: string;
  /** Form fields (slash commands), the interaction payload, or the event envelope. */
  body: Record<string, unknown>;
}

type Answer = { status: number; body?: unknown } | 'hang';

function signatureOk(headers: Record<string, unknown>, raw: string): boolean {
  const timestamp = String(headers['x-slack-request-timestamp'] ?? '');
  const expected = Buffer.from(
    `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${raw}`).digest('hex')}`,
  );
  const given = Buffer.from(String(headers['x-slack-signature'] ?? ''));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

async function startGateway() {
  const app: FastifyInstance = Fastify();
  const received: Received[] = [];
  const hanging: Array<() => void> = [];
  let answer: (request: Received) => Answer = () => ({ status: 200 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post('/slack/*', async (request, reply) => {
    const raw = String(request.body ?? '');
    if (!signatureOk(request.headers, raw)) return reply.code(401).send({ error: 'invalid_signature' });
    const form = new URLSearchParams(raw);
    const body: Record<string, unknown> = request.url.endsWith('/events')
      ? JSON.parse(raw)
      : form.has('payload')
        ? JSON.parse(form.get('payload') ?? '{}')
        : Object.fromEntries(form);
    const entry = { path: request.url, body };
    received.push(entry);
    const decided = answer(entry);
    if (decided === 'hang') {
      await new Promise<void>((resolve) => hanging.push(resolve));
      return reply.code(200).send();
    }
    return reply.code(decided.status).send(decided.body ?? '');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    received,
    answerWith(next: (request: Received) => Answer) {
      answer = next;
    },
    async stop() {
      for (const release of hanging) release();
      await app.close();
    },
  };
}

let emulator: SlackEmulator;
let page: WorkspacePage;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let base: string;

async function post(
  route: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}/_emulator/page/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const state = async () => (await (await fetch(`${base}/_emulator/page/state`)).json()) as PageState;

beforeEach(async () => {
  gateway = await startGateway();
  emulator = createSlackEmulator();
  page = registerWorkspacePage(emulator, {
    answerTimeoutMs: 300,
    webRoot: path.join(os.tmpdir(), 'no-such-page'),
  });
  base = await emulator.start();
});

afterEach(async () => {
  await emulator.stop();
  await gateway.stop();
});

const connect = () => page.connect({ url: gateway.url, signingSecret: SECRET });

describe('GET /_emulator/page/state', () => {
  it('describes the workspace, the app and what was posted, without deleted messages or tokens', async () => {
    const client = emulator.state.tokens.keys().next().value as string;
    const web = async (method: string, args: Record<string, unknown>) =>
      (await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${client}` },
        body: JSON.stringify(args),
      }).then((r) => r.json())) as Record<string, unknown>;
    const kept = await web('chat.postMessage', { channel: 'C0001', text: 'kept' });
    const removed = await web('chat.postMessage', { channel: 'C0001', text: 'removed' });
    await web('chat.delete', { channel: 'C0001', ts: removed.ts });
    const snapshot = await state();
    expect(snapshot.team).toEqual({ id: 'T0001', name: 'coffeebuddy-dev', domain: 'coffeebuddy-dev' });
    expect(snapshot.app).toMatchObject({ name: 'CoffeeBuddy', connected: false, commands: ['/coffee'] });
    expect(snapshot.people.map((p) => p.id)).toEqual(
      expect.arrayContaining(['U0001', 'U0002', 'U0003', 'U0004']),
    );
    expect(snapshot.conversations.map((c) => c.id)).toEqual(expect.arrayContaining(['C0001', 'C0002']));
    expect(snapshot.messages.map((m) => m.ts)).toEqual([kept.ts]);
    expect(snapshot.messages[0]).not.toHaveProperty('history');
    expect(snapshot.calls.map((c) => c.method)).toEqual([
      'chat.postMessage',
      'chat.postMessage',
      'chat.delete',
    ]);
    expect(snapshot.seq).toBe(emulator.changes.lastSeq);
    expect(JSON.stringify(snapshot)).not.toContain(client);
    connect();
    expect((await state()).app.connected).toBe(true);
  });
});

describe('the composer', () => {
  it('posts a person’s message as theirs, without telling the app', async () => {
    connect();
    const answer = await post('messages', { userId: 'U0003', channelId: 'C0002', text: '  morning all  ' });
    expect(answer.status).toBe(200);
    expect(emulator.messagesIn('C0002')).toMatchObject([
      { user: 'U0003', text: 'morning all', via: 'person' },
    ]);
    expect(gateway.received).toEqual([]);
  });

  it('sends /coffee to the app as a signed slash command and shows its answer to the person only', async () => {
    connect();
    gateway.answerWith(() => ({
      status: 200,
      body: { response_type: 'ephemeral', text: 'Usage: /coffee [time]' },
    }));
    const answer = await post('messages', { userId: 'U0002', channelId: 'C0001', text: '/coffee   help me' });
    expect(answer.json).toMatchObject({ status: 200 });
    expect(gateway.received).toHaveLength(1);
    expect(gateway.received[0]).toMatchObject({
      path: '/slack/commands',
      body: { command: '/coffee', text: 'help me', user_id: 'U0002', channel_id: 'C0001', team_id: 'T0001' },
    });
    expect(emulator.messagesIn('C0001')).toMatchObject([
      { text: 'Usage: /coffee [time]', ephemeral: true, visible_to: 'U0002', via: 'command_response' },
    ]);
  });

  it('answers a command the app does not declare as Slack does, without sending it', async () => {
    connect();
    await post('messages', { userId: 'U0001', channelId: 'C0001', text: '/tea now' });
    expect(gateway.received).toEqual([]);
    expect(emulator.messagesIn('C0001')[0]?.text).toMatch(/^\/tea is not a valid command/);
  });

  it('shows Slack’s timeout notice when the app does not answer in time', async () => {
    connect();
    gateway.answerWith(() => 'hang');
    const answer = await post('messages', { userId: 'U0001', channelId: 'C0001', text: '/coffee 10:30' });
    expect(answer.json.problem).toBe('the app did not answer within 300 ms');
    expect(emulator.messagesIn('C0001')[0]?.text).toContain(
      '/coffee failed with the error "operation_timeout"',
    );
  });

  it('shows Slack’s notice when the app refuses or cannot be reached', async () => {
    page.connect({ url: gateway.url, signingSecret: 'a-different-secret' });
    const refused = await post('messages', { userId: 'U0001', channelId: 'C0001', text: '/coffee' });
    expect(refused.json).toMatchObject({ status: 401, problem: 'the app answered HTTP 401' });
    await gateway.stop();
    connect();
    const unreachable = await post('messages', { userId: 'U0001', channelId: 'C0001', text: '/coffee' });
    expect(String(unreachable.json.problem)).toMatch(/^the app could not be reached/);
    expect(emulator.messagesIn('C0001').map((m) => m.text)).toEqual([
      expect.stringContaining('"dispatch_failed" (emulator: the app answered HTTP 401)'),
      expect.stringContaining('"dispatch_failed" (emulator: the app could not be reached'),
    ]);
  });

  it('refuses a slash command while no app is connected, and bad input with the field named', async () => {
    const offline = await post('messages', { userId: 'U0001', channelId: 'C0001', text: '/coffee' });
    expect(offline).toMatchObject({ status: 409, json: { error: 'not_connected' } });
    const badUser = await post('messages', { userId: 'nobody', channelId: 'C0001', text: 'hi' });
    expect(badUser.status).toBe(400);
    expect(String(badUser.json.message)).toContain('userId');
    const unknownUser = await post('messages', { userId: 'U0999', channelId: 'C0001', text: 'hi' });
    expect(unknownUser).toMatchObject({ status: 404, json: { error: 'user_not_found' } });
    const unknownChannel = await post('messages', { userId: 'U0001', channelId: 'C0999', text: 'hi' });
    expect(unknownChannel).toMatchObject({ status: 404, json: { error: 'channel_not_found' } });
    const empty = await post('messages', { userId: 'U0001', channelId: 'C0001', text: '' });
    expect(empty.status).toBe(400);
    const notJson = await fetch(`${base}/_emulator/page/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(emulator.messagesIn()).toEqual([]);
  });
});

describe('buttons, modals and the App Home', () => {
  const runMessage = {
    channel: 'C0001',
    team: 'T0001',
    user: 'U0BOT0001',
    bot_id: 'B0BOT0001',
    app_id: 'A0COFFEE01',
    text: 'run',
    blocks: [
      {
        type: 'actions',
        block_id: 'run_actions',
        elements: [
          {
            type: 'button',
            action_id: 'place_order',
            value: 'run-1',
            text: { type: 'plain_text', text: 'Place order' },
          },
          { type: 'users_select', action_id: 'runner' },
        ],
      },
    ],
  };

  it('sends a click as signed block_actions for a message the person can see', async () => {
    connect();
    const posted = await postAsApp(runMessage);
    const clicked = await post('actions', {
      userId: 'U0002',
      channelId: 'C0001',
      messageTs: posted,
      actionId: 'runner',
      blockId: 'run_actions',
      actionType: 'users_select',
      selectedUser: 'U0003',
    });
    expect(clicked.json).toMatchObject({ status: 200 });
    const payload = gateway.received[0]?.body as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0002' },
      container: { type: 'message', message_ts: posted, channel_id: 'C0001' },
      actions: [
        { action_id: 'runner', block_id: 'run_actions', type: 'users_select', selected_user: 'U0003' },
      ],
    });
  });

  it('refuses a click on a message the person cannot see', async () => {
    connect();
    const hidden = emulator.showCommandAnswer(
      { teamId: 'T0001', channelId: 'C0001', userId: 'U0001', command: '/coffee', text: '' },
      { kind: 'http', status: 200, body: runMessage },
    )[0];
    const clicked = await post('actions', {
      userId: 'U0002',
      channelId: 'C0001',
      messageTs: hidden?.ts,
      actionId: 'place_order',
    });
    expect(clicked).toMatchObject({ status: 404, json: { error: 'message_not_found' } });
    expect(gateway.received).toEqual([]);
  });

  it('submits the top modal as a signed view_submission and applies the answer', async () => {
    connect();
    const viewId = await openModal('U0002');
    const values = { order: { text: { type: 'plain_text_input', value: '   ' } } };
    gateway.answerWith(() => ({
      status: 200,
      body: { response_action: 'errors', errors: { order: 'Please say what you would like.' } },
    }));
    const refused = await post('submissions', { userId: 'U0002', viewId, values });
    expect(refused.json).toMatchObject({
      status: 200,
      outcome: { outcome: 'errors', errors: { order: 'Please say what you would like.' } },
    });
    expect(gateway.received[0]?.body).toMatchObject({
      type: 'view_submission',
      user: { id: 'U0002' },
      view: { id: viewId, callback_id: 'order_modal', state: { values } },
    });
    gateway.answerWith(() => ({ status: 200 }));
    const accepted = await post('submissions', { userId: 'U0002', viewId, values });
    expect(accepted.json).toMatchObject({ outcome: { outcome: 'closed' } });
    expect(emulator.modalStack('U0002')).toEqual([]);
    const again = await post('submissions', { userId: 'U0002', viewId, values });
    expect(again).toMatchObject({ status: 409, json: { error: 'view_not_open' } });
  });

  it('closes a modal without telling the app', async () => {
    const viewId = await openModal('U0003');
    expect(await post('closed-views', { userId: 'U0003', viewId })).toMatchObject({ status: 200 });
    expect(emulator.modalStack('U0003')).toEqual([]);
    expect(await post('closed-views', { userId: 'U0003', viewId })).toMatchObject({ status: 409 });
  });

  it('tells the app the Home tab was opened, from the person’s DM with it', async () => {
    connect();
    const opened = await post('home-opened', { userId: 'U0004', tab: 'home' });
    const im = [...emulator.state.channels.values()].find((c) => c.isIm && c.user === 'U0004');
    expect(opened.json).toMatchObject({ status: 200, channelId: im?.id });
    expect(gateway.received[0]).toMatchObject({
      path: '/slack/events',
      body: {
        type: 'event_callback',
        event: { type: 'app_home_opened', user: 'U0004', channel: im?.id, tab: 'home' },
      },
    });
  });

  async function postAsApp(message: typeof runMessage): Promise<string> {
    const token = [...emulator.state.tokens.values()].find((t) => t.type === 'bot')?.token;
    const answer = (await fetch(`${base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ channel: message.channel, text: message.text, blocks: message.blocks }),
    }).then((r) => r.json())) as { ts: string };
    return answer.ts;
  }

  async function openModal(userId: string): Promise<string> {
    const token = [...emulator.state.tokens.values()].find((t) => t.type === 'bot')?.token;
    const opened = (await fetch(`${base}/api/views.open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        trigger_id: emulator.issueTrigger({ userId }),
        view: ORDER_MODAL,
      }),
    }).then((r) => r.json())) as { view: { id: string } };
    return opened.view.id;
  }
});

describe('adding a person', () => {
  it('adds them with the timezone users.info then reports', async () => {
    const added = await post('people', { name: 'Mary', realName: 'Mary Jackson', tz: 'Europe/Berlin' });
    expect(added.status).toBe(200);
    const person = emulator.state.users.get(String(added.json.id));
    expect(person).toMatchObject({ name: 'mary', realName: 'Mary Jackson', tz: 'Europe/Berlin' });
    expect(person?.tzLabel).toMatch(/Central European/);
    expect([3600, 7200]).toContain(person?.tzOffset);
    expect((await state()).people.map((p) => p.name)).toContain('mary');
  });

  it.each([
    [{ name: 'mary', tz: 'Mars/Olympus' }, 'tz: Mars/Olympus is not an IANA timezone'],
    [{ name: 'ada', tz: 'UTC' }, 'name: ada is already taken'],
    [{ name: 'no spaces please', tz: 'UTC' }, 'name: use letters, digits'],
    [{ name: 'mary' }, 'tz'],
  ])('refuses %j, saying why', async (input, message) => {
    const answer = await post('people', input);
    expect(answer.status).toBe(400);
    expect(String(answer.json.message)).toContain(message);
  });
});

describe('live changes (server-sent events)', () => {
  it('streams every change with its number, and close() does not wait for the browser', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/_emulator/page/events`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += decoder.decode(chunk.value);
      }
    };
    await readUntil('event: ready');
    emulator.postAsPerson({ channelId: 'C0002', userId: 'U0001', text: 'live!' });
    await readUntil('live!');
    const event = text
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line.includes('live!'))
      .map((line) => JSON.parse(line.slice(6)))[0];
    expect(event).toMatchObject({ kind: 'message', message: { text: 'live!', channel: 'C0002' } });
    expect(event.seq).toBe(emulator.changes.lastSeq);
    expect(text).toContain(`id: ${event.seq}`);
    await emulator.stop();
    expect(emulator.changes.size).toBe(0);
    controller.abort();
    emulator = createSlackEmulator();
  });
});

describe('the page itself', () => {
  it('explains how to build it when web/dist is missing', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('pnpm --filter @coffeebuddy/slack-emulator build');
    expect(page.built).toBe(false);
  });

  it('serves the built page, and the Web API and emulator routes beside it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'page-'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>page</title>');
    const other = createSlackEmulator();
    expect(registerWorkspacePage(other, { webRoot: root }).built).toBe(true);
    const url = await other.start();
    try {
      const index = await fetch(`${url}/`);
      expect(index.status).toBe(200);
      expect(await index.text()).toContain('<title>page</title>');
      expect((await fetch(`${url}/api/api.test`).then((r) => r.json())) as unknown).toMatchObject({
        ok: true,
      });
      expect((await fetch(`${url}/_emulator/calls`)).status).toBe(200);
      expect((await fetch(`${url}/nothing-here.js`)).status).toBe(404);
    } finally {
      await other.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('fault controls', () => {
  it('queue failures and latency, list them, and clear them; bad input is refused with the reason', async () => {
    const failNext = (body: unknown) =>
      fetch(`${base}/_emulator/fail-next`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await failNext({ method: 'chat.postMessage', error: 'channel_not_found', times: 2 })).status,
    ).toBe(200);
    expect((await failNext({ method: '*', status: 429, retryAfter: 3 })).status).toBe(200);
    expect(
      (
        await fetch(`${base}/_emulator/latency`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"ms":250}',
        })
      ).status,
    ).toBe(200);
    expect(await fetch(`${base}/_emulator/faults`).then((r) => r.json())).toEqual({
      latencyMs: 250,
      failures: [
        { method: 'chat.postMessage', error: 'channel_not_found', times: 2 },
        { method: '*', status: 429, retryAfter: 3, times: 1 },
      ],
    });
    for (const [body, reason] of [
      [{ method: 'drop tables' }, 'method must be'],
      [{ method: 'chat.update', times: 0 }, 'times must be'],
      [{ method: 'chat.update', status: 99 }, 'status must be'],
      [{ method: 'chat.update', error: 'Not A Code' }, 'error must be'],
    ] as const) {
      const refused = await failNext(body);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toContain(reason);
    }
    const latency = await fetch(`${base}/_emulator/latency`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ms":-5}',
    });
    expect(latency.status).toBe(400);
    expect((await fetch(`${base}/_emulator/fail-next`, { method: 'DELETE' })).status).toBe(200);
    expect(emulator.faults()).toEqual({ latencyMs: 0, failures: [] });
  });
});
