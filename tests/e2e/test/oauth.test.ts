import { uniqueSlackId } from '@coffeebuddy/contracts/testing';
import { TokenCipher } from '@coffeebuddy/slack';
import { createSlackDriver } from '@coffeebuddy/slack-emulator';
import pg from 'pg';
import { type Stack, startStack } from '../src/stack';

/** OAuth install through @slack/oauth against the emulator, then a run using the stored token. */

let stack: Stack;
let db: pg.Client;

beforeAll(async () => {
  stack = await startStack({ oauth: true });
  db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

describe('OAuth install', () => {
  it('installs through /slack/install, verifies state, and stores the token encrypted', async () => {
    const install = await fetch(`${stack.gatewayUrl}/slack/install`, { redirect: 'manual' });
    expect(install.status).toBe(302);
    const authorize = new URL(install.headers.get('location') ?? '');
    expect(authorize.origin).toBe(stack.emulator.baseUrl);
    expect(authorize.searchParams.get('scope')).toBe(
      'commands,chat:write,users:read,im:write,channels:history,groups:history,im:history',
    );
    const cookie = cookieOf(install);
    expect(cookie).toMatch(/^slack-app-oauth-state=/);

    const approved = await fetch(authorize, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get('location') ?? '');
    expect(callback.pathname).toBe('/slack/oauth_redirect');

    // Without the state cookie (another browser) the callback is refused and nothing is stored.
    const forged = await fetch(callback, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect((await db.query('SELECT count(*)::int AS n FROM slack_installations')).rows[0].n).toBe(0);

    const done = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('CoffeeBuddy is installed');

    const exchange = stack.emulator.callsTo('oauth.v2.access').find((c) => c.response.ok);
    const token = String(exchange?.response.access_token);
    expect(token).toMatch(/^xoxb-/);
    const { rows } = await db.query(
      'SELECT install_key, team_id, bot_user_id, installation_enc FROM slack_installations',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].install_key).toBe('T:T0001');
    expect(rows[0].installation_enc).not.toContain(token);
    expect(rows[0].installation_enc).not.toContain('xoxb');
    const installation = JSON.parse(new TokenCipher(stack.encryptionKey).decrypt(rows[0].installation_enc));
    expect(installation.bot.token).toBe(token);
    expect(stack.logsContaining(token)).toEqual([]);

    // The next run in that workspace posts with the installed token.
    const channelId = uniqueSlackId('C');
    stack.emulator.addChannel({ id: channelId, name: 'oauth-coffee' });
    const driver = createSlackDriver({
      gatewayUrl: stack.gatewayUrl,
      signingSecret: stack.signingSecret,
      emulator: stack.emulator,
    });
    await driver.slashCommand({ text: '', userId: 'U0001', channelId });
    const post = await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === channelId,
      20_000,
    );
    expect(post.response.ok).toBe(true);
    expect(post.teamId).toBe('T0001');
  });
});
