import {
  ErrorCode,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
  WebClientEvent,
} from '@slack/web-api';
import { DEFAULT_BOT_TOKEN, TRIGGER_TTL_MS } from '../src';
import { rawPost, type Started, silentLogger, startEmulator } from './support';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (title = 'Place order', extra: Record<string, unknown> = {}) => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: title },
  blocks: [section('What would you like?')],
  ...extra,
});

/** The `data` of the platform error a WebClient call rejects with. */
async function slackError(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof WebAPIPlatformError) return error.data as unknown as Record<string, unknown>;
    throw error;
  }
  throw new Error('expected the call to fail');
}

let started: Started;
let client: WebClient;

beforeEach(async () => {
  started = await startEmulator();
  client = started.client();
});

afterEach(async () => {
  await started.emulator.stop();
});

describe('auth', () => {
  it('auth.test describes the bot token', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({
      ok: true,
      url: 'https://coffeebuddy-dev.slack.com/',
      team: 'coffeebuddy-dev',
      user: 'coffeebuddy',
      team_id: 'T0001',
      user_id: 'U0BOT0001',
      bot_id: 'B0BOT0001',
      is_enterprise_install: false,
    });
    expect(result.response_metadata?.scopes).toContain('chat:write');
  });

  it('answers not_authed without a token and invalid_auth for an unknown one', async () => {
    expect(await slackError(started.client('').auth.test())).toMatchObject({
      ok: false,
      error: 'not_authed',
    });
    expect(await slackError(started.client('xoxb-nope').auth.test())).toMatchObject({
      error: 'invalid_auth',
    });
  });

  it('takes the token from a form field, but not from a JSON body (as Slack)', async () => {
    const url = `${started.emulator.apiUrl}auth.test`;
    const form = await rawPost(url, `token=${DEFAULT_BOT_TOKEN}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.json).toMatchObject({ ok: true, team_id: 'T0001' });
    const json = await rawPost(url, JSON.stringify({ token: DEFAULT_BOT_TOKEN }), {
      'content-type': 'application/json',
    });
    expect(json).toMatchObject({ status: 200, json: { ok: false, error: 'not_authed' } });
  });

  it('a token only works in its own team', async () => {
    started.emulator.addTeam({ id: 'T0002', name: 'other-co' });
    const other = started.client(started.emulator.issueBotToken('T0002'));
    expect(await other.auth.test()).toMatchObject({ team_id: 'T0002', team: 'other-co' });
    expect(await slackError(other.chat.postMessage({ channel: 'C0001', text: 'hi' }))).toMatchObject({
      error: 'channel_not_found',
    });
    expect(await slackError(other.users.info({ user: 'U0001' }))).toMatchObject({ error: 'user_not_found' });
  });

  it('answers unknown_method for methods it does not serve', async () => {
    expect(await slackError(client.apiCall('coffee.brew'))).toMatchObject({
      error: 'unknown_method',
      req_method: 'coffee.brew',
    });
  });
});

describe('chat', () => {
  it('chat.postMessage returns channel, a unique increasing ts and the message with block_ids', async () => {
    const first = await client.chat.postMessage({
      channel: 'C0001',
      text: 'Coffee run!',
      blocks: [section('Run')],
    });
    const second = await client.chat.postMessage({ channel: '#coffee', text: 'Another' });
    expect(first).toMatchObject({
      ok: true,
      channel: 'C0001',
      message: {
        type: 'message',
        user: 'U0BOT0001',
        bot_id: 'B0BOT0001',
        text: 'Coffee run!',
        team: 'T0001',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Run' }, block_id: expect.any(String) }],
      },
    });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(first.message?.ts).toBe(first.ts);
    expect(second.channel).toBe('C0001');
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
  });

  it('timestamps stay unique and increasing when the clock stands still', async () => {
    const tss: string[] = [];
    for (let i = 0; i < 5; i += 1)
      tss.push((await client.chat.postMessage({ channel: 'C0001', text: `${i}` })).ts ?? '');
    expect(new Set(tss).size).toBe(5);
    expect([...tss].sort()).toEqual(tss);
  });

  it('posting to a user ID lands in the app DM with that person', async () => {
    const result = await client.chat.postMessage({ channel: 'U0003', text: 'You are the runner' });
    expect(result.channel).toMatch(/^D/);
    const open = await client.conversations.open({ users: 'U0003' });
    expect(open.channel?.id).toBe(result.channel);
  });

  it('accepts JSON bodies with a bearer token', async () => {
    const response = await rawPost(
      `${started.emulator.apiUrl}chat.postMessage`,
      JSON.stringify({ channel: 'C0002', text: 'json', blocks: [section('json body')] }),
      { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${DEFAULT_BOT_TOKEN}` },
    );
    expect(response.json).toMatchObject({ ok: true, channel: 'C0002' });
    expect(started.emulator.calls[0]?.args.blocks).toEqual([section('json body')]);
  });

  it('rejects unknown channels, empty messages and malformed JSON', async () => {
    expect(await slackError(client.chat.postMessage({ channel: 'C9999', text: 'x' }))).toMatchObject({
      ok: false,
      error: 'channel_not_found',
    });
    expect(await slackError(client.chat.postMessage({ channel: 'C0001', text: '' }))).toMatchObject({
      error: 'no_text',
    });
    const form = await rawPost(
      `${started.emulator.apiUrl}chat.postMessage`,
      `channel=C0001&text=x&blocks=${encodeURIComponent('[{"type":')}`,
      { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${DEFAULT_BOT_TOKEN}` },
    );
    expect(form.json).toMatchObject({ ok: false, error: 'invalid_blocks_format' });
    const json = await rawPost(`${started.emulator.apiUrl}chat.postMessage`, '{"channel":', {
      'content-type': 'application/json',
      authorization: `Bearer ${DEFAULT_BOT_TOKEN}`,
    });
    expect(json).toMatchObject({ status: 200, json: { ok: false, error: 'invalid_json' } });
  });

  it('enforces Block Kit limits with invalid_blocks and explains them', async () => {
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(
      await slackError(client.chat.postMessage({ channel: 'C0001', text: 'x', blocks: tooMany })),
    ).toEqual({
      ok: false,
      error: 'invalid_blocks',
      errors: ['no more than 50 items allowed [json-pointer:/blocks]'],
      response_metadata: {
        messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'],
        scopes: expect.any(Array),
      },
    });
    const long = await slackError(
      client.chat.postMessage({ channel: 'C0001', text: 'x', blocks: [section('y'.repeat(3001))] }),
    );
    expect(long.response_metadata).toMatchObject({
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    expect(
      await slackError(client.chat.postMessage({ channel: 'C0001', text: 'z'.repeat(40_001) })),
    ).toMatchObject({
      error: 'msg_too_long',
    });
    expect(started.emulator.messagesIn('C0001')).toHaveLength(0);
  });

  it('chat.update replaces text and blocks, keeps omitted blocks, and knows unknown ts', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0001', text: 'v1', blocks: [section('one')] });
    const updated = await client.chat.update({ channel: 'C0001', ts: posted.ts as string, text: 'v2' });
    expect(updated).toMatchObject({
      ok: true,
      channel: 'C0001',
      ts: posted.ts,
      text: 'v2',
      message: { text: 'v2', edited: { user: 'U0BOT0001' }, blocks: [{ type: 'section' }] },
    });
    await client.chat.update({
      channel: 'C0001',
      ts: posted.ts as string,
      text: 'v3',
      blocks: [section('three')],
    });
    const [message] = started.emulator.messagesIn('C0001');
    expect(message).toMatchObject({ text: 'v3', blocks: [{ text: { text: 'three' } }] });
    expect(message?.history.map((h) => h.text)).toEqual(['v1', 'v2']);
    expect(
      await slackError(client.chat.update({ channel: 'C0001', ts: '1111111111.000100', text: 'x' })),
    ).toMatchObject({ error: 'message_not_found' });
    expect(
      await slackError(
        client.chat.update({
          channel: 'C0001',
          ts: posted.ts as string,
          text: 'x',
          blocks: [{ type: 'nope' }],
        }),
      ),
    ).toMatchObject({ error: 'invalid_blocks' });
  });

  it('chat.delete removes a message', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0001', text: 'bye' });
    expect(await client.chat.delete({ channel: 'C0001', ts: posted.ts as string })).toMatchObject({
      ok: true,
      ts: posted.ts,
    });
    expect(started.emulator.messagesIn('C0001')).toHaveLength(0);
    expect(await slackError(client.chat.delete({ channel: 'C0001', ts: posted.ts as string }))).toMatchObject(
      {
        error: 'message_not_found',
      },
    );
  });

  it('chat.postEphemeral returns message_ts and requires a known user', async () => {
    const result = await client.chat.postEphemeral({ channel: 'C0001', user: 'U0002', text: 'Only you' });
    expect(result.ok).toBe(true);
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(started.emulator.state.messages[0]).toMatchObject({ ephemeral: true, visible_to: 'U0002' });
    expect(
      await slackError(client.chat.postEphemeral({ channel: 'C0001', user: 'U9999', text: 'x' })),
    ).toMatchObject({ error: 'user_not_found' });
    expect(
      await slackError(client.apiCall('chat.postEphemeral', { channel: 'C0001', text: 'x' })),
    ).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: user [json-pointer:/user]'] },
    });
  });
});

describe('views', () => {
  it('views.open exchanges a fresh trigger for a modal with a V… id', async () => {
    const triggerId = started.emulator.issueTrigger({ userId: 'U0003' });
    const result = await client.views.open({
      trigger_id: triggerId,
      view: modal('Order', { callback_id: 'order', private_metadata: '{"run":1}' }),
    });
    expect(result.view).toMatchObject({
      id: expect.stringMatching(/^V[A-Z0-9]{10}$/),
      team_id: 'T0001',
      type: 'modal',
      callback_id: 'order',
      private_metadata: '{"run":1}',
      state: { values: {} },
      hash: expect.any(String),
      title: { type: 'plain_text', text: 'Order' },
      previous_view_id: null,
      app_id: 'A0COFFEE01',
      bot_id: 'B0BOT0001',
    });
    expect(result.view?.root_view_id).toBe(result.view?.id);
  });

  it('rejects unknown, expired and already used triggers', async () => {
    expect(await slackError(client.views.open({ trigger_id: '123.456.abc', view: modal() }))).toMatchObject({
      error: 'invalid_trigger_id',
    });
    const stale = started.emulator.issueTrigger({ userId: 'U0001' });
    started.clock.advance(TRIGGER_TTL_MS + 1);
    expect(await slackError(client.views.open({ trigger_id: stale, view: modal() }))).toMatchObject({
      error: 'expired_trigger_id',
    });
    const fresh = started.emulator.issueTrigger({ userId: 'U0001' });
    started.clock.advance(TRIGGER_TTL_MS - 1);
    await client.views.open({ trigger_id: fresh, view: modal() });
    expect(await slackError(client.views.open({ trigger_id: fresh, view: modal() }))).toMatchObject({
      error: 'exchanged_trigger_id',
    });
  });

  it('checks the view: title length and block count give invalid_arguments with pointers', async () => {
    const trigger = () => started.emulator.issueTrigger({ userId: 'U0001' });
    expect(
      await slackError(
        client.views.open({ trigger_id: trigger(), view: modal('A title that is far too long') }),
      ),
    ).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: {
        messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
      },
    });
    const blocks = Array.from({ length: 101 }, () => ({ type: 'divider' }));
    expect(
      await slackError(client.views.open({ trigger_id: trigger(), view: modal('T', { blocks }) })),
    ).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]'] },
    });
  });

  it('views.update finds a view by id or external_id and checks the hash', async () => {
    const opened = await client.views.open({
      trigger_id: started.emulator.issueTrigger({ userId: 'U0001' }),
      view: modal('Order', { external_id: 'order-run-1' }),
    });
    const id = opened.view?.id as string;
    const byId = await client.views.update({ view_id: id, view: modal('Updated') });
    expect(byId.view).toMatchObject({ id, title: { text: 'Updated' }, external_id: 'order-run-1' });
    expect(byId.view?.hash).not.toBe(opened.view?.hash);
    const byExternal = await client.views.update({ external_id: 'order-run-1', view: modal('Again') });
    expect(byExternal.view?.id).toBe(id);
    expect(
      await slackError(
        client.views.update({ view_id: id, hash: opened.view?.hash as string, view: modal() }),
      ),
    ).toMatchObject({ error: 'hash_conflict' });
    expect(await slackError(client.views.update({ view_id: 'VNOTAVIEW01', view: modal() }))).toMatchObject({
      error: 'not_found',
    });
    expect(await slackError(client.views.update({ external_id: 'nope', view: modal() }))).toMatchObject({
      error: 'not_found',
    });
  });

  it('views.push stacks a modal on the open one', async () => {
    const opened = await client.views.open({
      trigger_id: started.emulator.issueTrigger({ userId: 'U0001' }),
      view: modal('First'),
    });
    const pushed = await client.views.push({
      trigger_id: started.emulator.issueTrigger({ userId: 'U0001' }),
      view: modal('Second'),
    });
    expect(pushed.view).toMatchObject({ previous_view_id: opened.view?.id, root_view_id: opened.view?.id });
  });

  it('views.publish sets a home tab per user, keeping its id', async () => {
    const home = { type: 'home' as const, blocks: [section('Your coffee stats')] };
    const first = await client.views.publish({ user_id: 'U0002', view: home });
    expect(first.view).toMatchObject({ type: 'home', team_id: 'T0001', id: expect.stringMatching(/^V/) });
    const second = await client.views.publish({ user_id: 'U0002', view: home });
    expect(second.view?.id).toBe(first.view?.id);
    expect(
      await slackError(client.views.publish({ user_id: 'U0002', view: modal() as never })),
    ).toMatchObject({ error: 'invalid_arguments' });
    expect(await slackError(client.views.publish({ user_id: 'U9999', view: home }))).toMatchObject({
      error: 'user_not_found',
    });
  });
});

describe('conversations and users', () => {
  it('conversations.open creates the IM once, then reports it already open', async () => {
    const first = await client.conversations.open({ users: 'U0004' });
    expect(first).toMatchObject({ ok: true, channel: { id: expect.stringMatching(/^D/) } });
    expect(first.already_open).toBeUndefined();
    const second = await client.conversations.open({ users: 'U0004', return_im: true });
    expect(second).toMatchObject({
      no_op: true,
      already_open: true,
      channel: { id: first.channel?.id, is_im: true, user: 'U0004' },
    });
    expect(await slackError(client.conversations.open({ users: 'U9999' }))).toMatchObject({
      error: 'user_not_found',
    });
  });

  it('conversations.history lists a channel newest first, with metadata only when asked, in pages', async () => {
    const posted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await client.chat.postMessage({
        channel: 'C0001',
        text: `message ${i}`,
        metadata: { event_type: 'coffeebuddy_effect', event_payload: { effect_id: `e${i}`, part: 0 } },
      });
      posted.push(String(result.ts));
    }
    await client.chat.postEphemeral({ channel: 'C0001', user: 'U0002', text: 'only for grace' });
    await client.chat.delete({ channel: 'C0001', ts: posted[1] as string });
    await client.chat.postMessage({ channel: 'C0002', text: 'elsewhere' });

    const plain = await client.conversations.history({ channel: 'C0001' });
    expect(plain.messages?.map((m) => m.text)).toEqual(['message 2', 'message 0']);
    expect(plain.messages?.every((m) => !('metadata' in m))).toBe(true);
    expect(plain).toMatchObject({ has_more: false, pin_count: 0 });

    const tagged = await client.conversations.history({ channel: 'C0001', include_all_metadata: true });
    expect(tagged.messages?.[0]?.metadata).toEqual({
      event_type: 'coffeebuddy_effect',
      event_payload: { effect_id: 'e2', part: 0 },
    });

    // `oldest` is exclusive unless `inclusive` is set (Slack's rule).
    const exclusive = await client.conversations.history({ channel: 'C0001', oldest: posted[0] });
    expect(exclusive.messages?.map((m) => m.ts)).toEqual([posted[2]]);
    const inclusive = await client.conversations.history({
      channel: 'C0001',
      oldest: posted[0],
      inclusive: true,
    });
    expect(inclusive.messages?.map((m) => m.ts)).toEqual([posted[2], posted[0]]);

    const first = await client.conversations.history({ channel: 'C0001', limit: 1 });
    expect(first.has_more).toBe(true);
    const second = await client.conversations.history({
      channel: 'C0001',
      limit: 1,
      cursor: first.response_metadata?.next_cursor as string,
    });
    expect(second.messages?.map((m) => m.text)).toEqual(['message 0']);
    expect(second.has_more).toBe(false);
  });

  it('conversations.history needs the history scope of the kind of conversation', async () => {
    const token = started.emulator.issueBotToken('T0001', 'xoxb-no-history', ['chat:write', 'im:write']);
    const limited = started.client(token);
    expect(await slackError(limited.conversations.history({ channel: 'C0001' }))).toMatchObject({
      error: 'missing_scope',
      needed: 'channels:history',
    });
    const dm = await limited.conversations.open({ users: 'U0003' });
    expect(
      await slackError(limited.conversations.history({ channel: dm.channel?.id as string })),
    ).toMatchObject({
      error: 'missing_scope',
      needed: 'im:history',
    });
    expect(await slackError(client.conversations.history({ channel: 'C404' }))).toMatchObject({
      error: 'channel_not_found',
    });
  });

  it('chat.postMessage refuses metadata that is not an event_type with an event_payload', async () => {
    expect(
      await slackError(
        client.chat.postMessage({ channel: 'C0001', text: 'x', metadata: { event_payload: {} } as never }),
      ),
    ).toMatchObject({ error: 'invalid_metadata_schema' });
  });

  it('conversations.info describes a channel', async () => {
    const result = await client.conversations.info({ channel: 'C0001' });
    expect(result.channel).toMatchObject({
      id: 'C0001',
      name: 'coffee',
      is_channel: true,
      is_private: false,
    });
    expect(await slackError(client.conversations.info({ channel: 'C404' }))).toMatchObject({
      error: 'channel_not_found',
    });
  });

  it('users.info gives the profile, timezone and admin flags', async () => {
    const ada = await client.users.info({ user: 'U0001' });
    expect(ada.user).toMatchObject({
      id: 'U0001',
      team_id: 'T0001',
      name: 'ada',
      real_name: 'Ada Lovelace',
      tz: 'Europe/London',
      tz_offset: 0,
      is_admin: true,
      is_owner: true,
      is_bot: false,
      profile: { real_name: 'Ada Lovelace', display_name: 'ada' },
    });
    const alan = await client.users.info({ user: 'U0003' });
    expect(alan.user).toMatchObject({ is_admin: false, is_owner: false });
    const added = started.emulator.addUser({
      name: 'mary',
      realName: 'Mary Jackson',
      tz: 'America/New_York',
      tzOffset: -18000,
    });
    expect((await client.users.info({ user: added.id })).user).toMatchObject({
      name: 'mary',
      tz_offset: -18000,
    });
    expect(await slackError(client.users.info({ user: 'U9999' }))).toMatchObject({ error: 'user_not_found' });
  });
});

describe('failure injection', () => {
  it('chaos fails, rate-limits and slows calls at about the rates asked, the same way for the same seed, and spares what it is told to', async () => {
    const raw = started.client(DEFAULT_BOT_TOKEN, {
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const outcomes = async () => {
      started.emulator.setChaos({
        transientRate: 0.3,
        rateLimitRate: 0.1,
        spikeRate: 0.05,
        spikeMs: 1,
        actedRate: 1,
        spare: ['users.info'],
        seed: 7,
      });
      const seen: string[] = [];
      for (let i = 0; i < 200; i += 1) {
        const answer = await raw.chat
          .postMessage({ channel: 'C0001', text: `chaos ${i}` })
          .then(() => 'ok')
          .catch((e: { code?: string; data?: { error?: string } }) => e.data?.error ?? e.code ?? 'error');
        seen.push(answer);
      }
      expect((await raw.users.info({ user: 'U0001' })).ok).toBe(true);
      return { seen, tally: started.emulator.chaosTally() };
    };
    const first = await outcomes();
    const second = await outcomes();
    started.emulator.setChaos(null);
    expect(second.seen).toEqual(first.seen);
    const { tally } = first;
    expect(tally.calls).toBe(200);
    expect(tally.transient).toBeGreaterThan(35);
    expect(tally.transient).toBeLessThan(85);
    expect(tally.rateLimited).toBeGreaterThan(5);
    expect(tally.rateLimited).toBeLessThan(40);
    expect(first.seen.filter((s) => s === 'ok').length).toBe(200 - tally.transient - tally.rateLimited);
    // Failures "after the call acted" posted their message all the same (both rounds alike).
    const posted = started.emulator.messagesIn('C0001').filter((m) => String(m.text).startsWith('chaos '));
    expect(second.tally).toEqual(first.tally);
    expect(posted.length).toBe(2 * (200 - tally.transient - tally.rateLimited + tally.acted));
    expect(tally.acted).toBeGreaterThan(0);
  });

  it('failNext makes the next call fail with the given error, then recovers', async () => {
    started.emulator.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await slackError(client.chat.postMessage({ channel: 'C0001', text: 'x' }))).toMatchObject({
      error: 'channel_not_found',
    });
    expect((await client.chat.postMessage({ channel: 'C0001', text: 'x' })).ok).toBe(true);
  });

  it('429 with Retry-After is a rate-limited error for WebClient with rejectRateLimitedCalls', async () => {
    started.emulator.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const limited = started.client(DEFAULT_BOT_TOKEN, { rejectRateLimitedCalls: true });
    const error = await limited.chat.postMessage({ channel: 'C0001', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    expect(started.emulator.calls[0]).toMatchObject({
      status: 429,
      response: { ok: false, error: 'ratelimited' },
    });
  });

  it('WebClient waits Retry-After and retries when it is allowed to', async () => {
    started.emulator.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const patient = new WebClient(DEFAULT_BOT_TOKEN, {
      slackApiUrl: started.emulator.apiUrl,
      logger: silentLogger,
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
    });
    const rateLimited = jest.fn();
    patient.on(WebClientEvent.RATE_LIMITED, rateLimited);
    const began = Date.now();
    const result = await patient.chat.postMessage({ channel: 'C0001', text: 'eventually' });
    expect(result.ok).toBe(true);
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
    expect(rateLimited).toHaveBeenCalledWith(1, expect.anything());
    expect(started.emulator.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('failures can be repeated and can target any method', async () => {
    started.emulator.failNext('*', { error: 'fatal_error', times: 2 });
    expect(await slackError(client.auth.test())).toMatchObject({ error: 'fatal_error' });
    expect(await slackError(client.users.info({ user: 'U0001' }))).toMatchObject({ error: 'fatal_error' });
    expect((await client.auth.test()).ok).toBe(true);
  });

  it('setLatency delays every answer', async () => {
    started.emulator.setLatency(200);
    const began = Date.now();
    await client.auth.test();
    expect(Date.now() - began).toBeGreaterThanOrEqual(190);
    // The recorded latency includes the injected delay (the developer panel shows it).
    expect(started.emulator.callsTo('auth.test')[0]?.latencyMs).toBeGreaterThanOrEqual(190);
  });
});

describe('call recording', () => {
  it('records method, args without the token, token presence, team, time, latency and response', async () => {
    await client.chat.postMessage({ channel: 'C0001', text: 'hi', blocks: [section('hi')] });
    await started
      .client('')
      .auth.test()
      .catch(() => undefined);
    expect(started.emulator.calls).toEqual([
      {
        method: 'chat.postMessage',
        args: { channel: 'C0001', text: 'hi', blocks: [section('hi')] },
        tokenPresent: true,
        teamId: 'T0001',
        at: started.clock.ms,
        latencyMs: expect.any(Number),
        status: 200,
        response: expect.objectContaining({ ok: true, channel: 'C0001' }),
      },
      expect.objectContaining({
        method: 'auth.test',
        tokenPresent: false,
        response: { ok: false, error: 'not_authed' },
      }),
    ]);
    expect(JSON.stringify(started.emulator.calls)).not.toContain(DEFAULT_BOT_TOKEN);
    expect(started.emulator.callsTo('auth.test')).toHaveLength(1);
  });

  it('waitForCall resolves for past and future calls and times out', async () => {
    await client.chat.postMessage({ channel: 'C0001', text: 'first' });
    const past = await started.emulator.waitForCall('chat.postMessage', (c) => c.args.text === 'first');
    expect(past.response.ok).toBe(true);
    const future = started.emulator.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0002', 2_000);
    setTimeout(() => void client.chat.postMessage({ channel: 'C0002', text: 'later' }), 50);
    expect((await future).args.text).toBe('later');
    await expect(started.emulator.waitForCall('views.open', undefined, 50)).rejects.toThrow(
      'timed out after 50 ms waiting for a call to views.open',
    );
  });

  it('reset forgets calls, messages and failures but keeps the workspace', async () => {
    const calls = started.emulator.calls;
    await client.chat.postMessage({ channel: 'C0001', text: 'hi' });
    started.emulator.failNext('auth.test');
    started.emulator.reset();
    expect(calls).toHaveLength(0);
    expect(started.emulator.messagesIn()).toHaveLength(0);
    expect((await client.auth.test()).ok).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('serves calls and messages over HTTP for the local stack, and resets', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0001', text: 'v1', blocks: [section('one')] });
    await client.chat.update({ channel: 'C0001', ts: posted.ts as string, text: 'v2' });
    await client.chat.postMessage({ channel: 'C0002', text: 'other' });
    const base = started.emulator.baseUrl;
    const calls = (await (await fetch(`${base}/_emulator/calls`)).json()) as {
      calls: Array<{ method: string }>;
    };
    expect(calls.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.postMessage']);
    const messages = (await (await fetch(`${base}/_emulator/messages`)).json()) as {
      messages: Array<{ channel: string; ts: string; text: string; blocks: unknown[] }>;
    };
    expect(messages.messages.map((m) => [m.channel, m.text])).toEqual([
      ['C0001', 'v2'],
      ['C0002', 'other'],
    ]);
    expect(messages.messages[0]?.blocks).toEqual([expect.objectContaining({ type: 'section' })]);
    const filtered = (await (await fetch(`${base}/_emulator/messages?channel=C0002`)).json()) as {
      messages: unknown[];
    };
    expect(filtered.messages).toHaveLength(1);

    const failNext = await fetch(`${base}/_emulator/fail-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'auth.test', error: 'account_inactive' }),
    });
    expect(failNext.status).toBe(200);
    expect(await slackError(client.auth.test())).toMatchObject({ error: 'account_inactive' });

    expect((await fetch(`${base}/_emulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(started.emulator.calls).toHaveLength(0);
    expect(
      ((await (await fetch(`${base}/_emulator/messages`)).json()) as { messages: unknown[] }).messages,
    ).toEqual([]);
  });
});
