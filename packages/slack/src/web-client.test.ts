import { createSlackEmulator, type SlackEmulator } from '@coffeebuddy/slack-emulator';
import pino from 'pino';
import { SlackClients, SlackRateLimitedError } from './web-client';

let emulator: SlackEmulator;
const token = 'xoxb-1000000000001-web-client-test';

beforeAll(async () => {
  emulator = createSlackEmulator({ botToken: token });
  await emulator.start();
});
afterAll(async () => emulator?.stop());

const clients = () =>
  new SlackClients({
    slackApiUrl: emulator.apiUrl,
    logger: pino({ level: 'silent' }),
    maxRetryAfterSeconds: 2,
  });

describe('SlackClients (against the Slack emulator)', () => {
  it('waits out a short Retry-After and succeeds', async () => {
    const slack = clients();
    emulator.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const result = await slack.call('chat.postMessage', () =>
      slack.forToken(token).chat.postMessage({ channel: 'C0001', text: 'hi' }),
    );
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(emulator.callsTo('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(1);
  });

  it('fails fast with a coded error when Slack asks to wait longer than it may stall a partition', async () => {
    const slack = clients();
    emulator.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    const started = Date.now();
    const error = await slack
      .call('chat.postMessage', () =>
        slack.forToken(token).chat.postMessage({ channel: 'C0001', text: 'hi' }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackRateLimitedError);
    expect((error as SlackRateLimitedError).retryAfterSeconds).toBe(30);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up after a bounded number of rate-limited retries', async () => {
    const slack = clients();
    emulator.failNext('chat.postMessage', { status: 429, retryAfter: 1, times: 5 });
    const error = await slack
      .call('chat.postMessage', () =>
        slack.forToken(token).chat.postMessage({ channel: 'C0001', text: 'hi' }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackRateLimitedError);
    emulator.reset();
  });

  it('passes Slack API errors through unchanged (channel_not_found)', async () => {
    const slack = clients();
    const error = await slack
      .call('chat.postMessage', () =>
        slack.forToken(token).chat.postMessage({ channel: 'C9NOPE', text: 'hi' }),
      )
      .catch((e: unknown) => e);
    expect((error as { data?: { error?: string } }).data?.error).toBe('channel_not_found');
  });
});
