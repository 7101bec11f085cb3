import { WebAPIPlatformError } from '@slack/web-api';
import { DEFAULT_BOT_TOKEN } from '../src';
import { type Started, startEmulator } from './support';

const CLIENT_ID = '42.4242';
const CLIENT_SECRET = 'the-client-secret';
const REDIRECT_URI = 'http://localhost:3000/slack/oauth_redirect';

let started: Started;

beforeEach(async () => {
  started = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
});

afterEach(async () => {
  await started.emulator.stop();
});

/** Follows the authorize step the way a browser would, up to the redirect. */
async function authorize(query: Record<string, string>): Promise<Response> {
  const url = new URL('/oauth/v2/authorize', started.emulator.baseUrl);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return fetch(url, { redirect: 'manual' });
}

async function codeFrom(query: Record<string, string> = {}): Promise<{ code: string; state: string | null }> {
  const response = await authorize({
    client_id: CLIENT_ID,
    scope: 'commands,chat:write',
    state: 'state-123',
    redirect_uri: REDIRECT_URI,
    ...query,
  });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') as string);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  return { code: location.searchParams.get('code') as string, state: location.searchParams.get('state') };
}

async function errorOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    if (error instanceof WebAPIPlatformError) return error.data.error;
    throw error;
  }
  return undefined;
}

describe('OAuth v2', () => {
  it('authorize redirects with a code and the state; oauth.v2.access exchanges it for a bot token', async () => {
    const { code, state } = await codeFrom();
    expect(state).toBe('state-123');
    const client = started.client('');
    const access = await client.oauth.v2.access({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code,
      redirect_uri: REDIRECT_URI,
    });
    expect(access).toMatchObject({
      ok: true,
      app_id: 'A0COFFEE01',
      authed_user: { id: 'U0001' },
      token_type: 'bot',
      access_token: expect.stringMatching(/^xoxb-/),
      bot_user_id: 'U0BOT0001',
      team: { id: 'T0001', name: 'coffeebuddy-dev' },
      enterprise: null,
      is_enterprise_install: false,
    });
    expect(access.scope?.split(',')).toEqual(expect.arrayContaining(['commands', 'chat:write']));
    const auth = await started.client(access.access_token).auth.test();
    expect(auth).toMatchObject({ team_id: 'T0001', user_id: 'U0BOT0001' });
    const call = started.emulator.callsTo('oauth.v2.access')[0];
    expect(call?.args.client_secret).toBe('[redacted]');
    expect(call?.tokenPresent).toBe(false);
  });

  it('the install keeps the team bot token (as a reinstall does)', async () => {
    const { code } = await codeFrom();
    const access = await started
      .client('')
      .oauth.v2.access({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code });
    expect(access.access_token).toBe(DEFAULT_BOT_TOKEN);
  });

  it('a new team gets its own token, and user scopes give a user token', async () => {
    started.emulator.addTeam({ id: 'T0009', name: 'second-office' });
    started.emulator.addUser({ id: 'U0900', teamId: 'T0009', name: 'nina', isOwner: true });
    const { code } = await codeFrom({ team: 'T0009', user_scope: 'identity.basic' });
    const access = await started
      .client('')
      .oauth.v2.access({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code });
    expect(access).toMatchObject({
      team: { id: 'T0009', name: 'second-office' },
      authed_user: {
        id: 'U0900',
        scope: 'identity.basic',
        token_type: 'user',
        access_token: expect.stringMatching(/^xoxp-/),
      },
    });
    expect(access.access_token).not.toBe(DEFAULT_BOT_TOKEN);
    expect((await started.client(access.access_token).auth.test()).team_id).toBe('T0009');
  });

  it('a code is accepted once', async () => {
    const { code } = await codeFrom();
    const client = started.client('');
    await client.oauth.v2.access({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code });
    expect(
      await errorOf(client.oauth.v2.access({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code })),
    ).toBe('invalid_code');
    expect(
      await errorOf(
        client.oauth.v2.access({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code: 'made-up' }),
      ),
    ).toBe('invalid_code');
  });

  it('checks client credentials and the redirect URI', async () => {
    const { code } = await codeFrom();
    const client = started.client('');
    expect(
      await errorOf(client.oauth.v2.access({ client_id: 'nope', client_secret: CLIENT_SECRET, code })),
    ).toBe('invalid_client_id');
    expect(
      await errorOf(client.oauth.v2.access({ client_id: CLIENT_ID, client_secret: 'wrong', code })),
    ).toBe('bad_client_secret');
    expect(
      await errorOf(
        client.oauth.v2.access({
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          code,
          redirect_uri: 'http://evil.example/cb',
        }),
      ),
    ).toBe('bad_redirect_uri');
  });

  it('accepts client credentials as HTTP Basic auth', async () => {
    const { code } = await codeFrom();
    const response = await fetch(`${started.emulator.apiUrl}oauth.v2.access`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ code }).toString(),
    });
    expect(await response.json()).toMatchObject({ ok: true, token_type: 'bot' });
  });

  it('authorize refuses an unknown client_id or a missing redirect_uri', async () => {
    const wrongClient = await authorize({ client_id: 'nope', redirect_uri: REDIRECT_URI });
    expect(wrongClient.status).toBe(400);
    expect(await wrongClient.text()).toBe('invalid_client_id');
    expect((await authorize({ client_id: CLIENT_ID })).status).toBe(400);
  });
});

describe('OAuth with a configured redirect URL', () => {
  it('redirects there when authorize names none, and refuses URLs outside it', async () => {
    const emulator = (
      await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI })
    ).emulator;
    try {
      const url = (query: string) =>
        `${emulator.baseUrl}/oauth/v2/authorize?client_id=${CLIENT_ID}&scope=commands${query}`;
      const ok = await fetch(url('&state=s1'), { redirect: 'manual' });
      expect(ok.status).toBe(302);
      expect(ok.headers.get('location')).toMatch(new RegExp(`^${REDIRECT_URI}\\?code=[^&]+&state=s1$`));
      const evil = await fetch(url(`&redirect_uri=${encodeURIComponent('http://evil.example/cb')}`), {
        redirect: 'manual',
      });
      expect(evil.status).toBe(400);
    } finally {
      await emulator.stop();
    }
  });
});
