import { createSlackEmulator, type SlackEmulator } from '@coffeebuddy/slack-emulator';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import pino from 'pino';
import { BotTokenResolver, InstallationNotFoundError } from './installation-store';
import { slackActions } from './slack-actions';
import { SlackClients } from './web-client';

/** An installation store in memory that counts its reads (the caching is what is under test). */
class CountingStore implements InstallationStore {
  reads = 0;
  readonly tokens = new Map<string, string>();

  async storeInstallation(): Promise<void> {}
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    this.tokens.delete(query.teamId ?? '');
  }
  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v2', false>> {
    this.reads++;
    const token = this.tokens.get(query.teamId ?? '');
    if (!token) throw new InstallationNotFoundError(`no installation for T:${query.teamId}`);
    return {
      team: { id: query.teamId ?? '' },
      enterprise: undefined,
      user: { id: 'U0001', token: undefined, scopes: undefined },
      bot: { id: 'B0001', userId: 'U0BOT0001', token, scopes: ['chat:write'] },
      tokenType: 'bot',
      isEnterpriseInstall: false,
      appId: 'A0001',
    } as Installation<'v2', false>;
  }
}

describe('BotTokenResolver', () => {
  it('reads the store once per team while the cached token is fresh, and again after its TTL', async () => {
    const store = new CountingStore();
    store.tokens.set('T0001', 'xoxb-one');
    store.tokens.set('T0002', 'xoxb-two');
    let now = 1_000_000;
    const tokens = new BotTokenResolver(store, undefined, { cacheTtlMs: 60_000, now: () => now });
    expect(await tokens.botTokenFor('T0001')).toBe('xoxb-one');
    expect(await tokens.botTokenFor('T0001')).toBe('xoxb-one');
    expect(await tokens.botTokenFor('T0002')).toBe('xoxb-two');
    expect(store.reads).toBe(2);
    store.tokens.set('T0001', 'xoxb-one-rotated');
    now += 59_999;
    expect(await tokens.botTokenFor('T0001')).toBe('xoxb-one');
    now += 2;
    expect(await tokens.botTokenFor('T0001')).toBe('xoxb-one-rotated');
    expect(store.reads).toBe(3);
  });

  it('forgets a team’s token only when it is the one refused', async () => {
    const store = new CountingStore();
    store.tokens.set('T0001', 'xoxb-one');
    const tokens = new BotTokenResolver(store);
    await tokens.botTokenFor('T0001');
    expect(tokens.forget('T0001', 'xoxb-some-other')).toBe(false);
    await tokens.botTokenFor('T0001');
    expect(store.reads).toBe(1);
    expect(tokens.forget('T0001', 'xoxb-one')).toBe(true);
    await tokens.botTokenFor('T0001');
    expect(store.reads).toBe(2);
  });

  it('falls back to the dev token without an installation, and says so when there is neither', async () => {
    const store = new CountingStore();
    expect(await new BotTokenResolver(store, 'xoxb-dev').botTokenFor('T0009')).toBe('xoxb-dev');
    await expect(new BotTokenResolver(store).botTokenFor('T0009')).rejects.toBeInstanceOf(
      InstallationNotFoundError,
    );
  });
});

describe('slackActions with a cached token Slack refuses (against the Slack emulator)', () => {
  let emulator: SlackEmulator;
  beforeAll(async () => {
    emulator = createSlackEmulator({ botToken: 'xoxb-1000000000001-installation-store-test' });
    await emulator.start();
  });
  afterAll(async () => emulator?.stop());

  const setUp = () => {
    const store = new CountingStore();
    // The team's current bot token (an earlier test may have replaced the first one).
    const old = [...emulator.state.tokens.values()].find((t) => t.type === 'bot');
    if (!old) throw new Error('the emulator has no bot token');
    store.tokens.set(old.teamId, old.token);
    const tokens = new BotTokenResolver(store);
    const clients = new SlackClients({ slackApiUrl: emulator.apiUrl, logger: pino({ level: 'silent' }) });
    return { store, tokens, slack: slackActions(tokens, clients), teamId: old.teamId, oldToken: old.token };
  };

  it('reads the store again and repeats the call once when the workspace was reinstalled', async () => {
    const { store, slack, teamId, oldToken } = setUp();
    await slack.postMessage(teamId, 'C0001', { text: 'first', blocks: [] });
    // A reinstall: Slack forgets the old token and issues a new one, which the store now holds.
    emulator.state.tokens.delete(oldToken);
    store.tokens.set(teamId, emulator.issueBotToken(teamId));
    const before = emulator.callsTo('chat.postMessage').length;
    await slack.postMessage(teamId, 'C0001', { text: 'second', blocks: [] });
    const calls = emulator.callsTo('chat.postMessage').slice(before);
    expect(calls.map((c) => (c.response.ok ? 'ok' : c.response.error))).toEqual(['invalid_auth', 'ok']);
    expect(emulator.messagesIn('C0001').filter((m) => m.text === 'second')).toHaveLength(1);
    expect(store.reads).toBe(2);
  });

  it('repeats every call in flight with the refused token, not only the first to notice', async () => {
    const { store, slack, teamId, oldToken } = setUp();
    await slack.postMessage(teamId, 'C0001', { text: 'warm', blocks: [] });
    emulator.state.tokens.delete(oldToken);
    store.tokens.set(teamId, emulator.issueBotToken(teamId));
    const texts = Array.from({ length: 8 }, (_, i) => `concurrent ${i}`);
    await Promise.all(texts.map((text) => slack.postMessage(teamId, 'C0001', { text, blocks: [] })));
    for (const text of texts)
      expect(emulator.messagesIn('C0001').filter((m) => m.text === text)).toHaveLength(1);
  });

  it('passes the refusal on when the store has nothing newer (one read, no loop)', async () => {
    const { store, slack, teamId } = setUp();
    await slack.postMessage(teamId, 'C0001', { text: 'cached', blocks: [] });
    const current = store.tokens.get(teamId) as string;
    emulator.state.tokens.delete(current);
    const error = await slack
      .postMessage(teamId, 'C0001', { text: 'refused', blocks: [] })
      .catch((e: unknown) => e);
    expect((error as { data?: { error?: string } }).data?.error).toBe('invalid_auth');
    expect(store.reads).toBe(2);
    expect(emulator.messagesIn('C0001').filter((m) => m.text === 'refused')).toHaveLength(0);
  });
});
