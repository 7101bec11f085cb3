import { type Logger, LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import {
  createSlackEmulator,
  DEFAULT_BOT_TOKEN,
  type SlackEmulator,
  type SlackEmulatorOptions,
} from '../src';

/** WebClient's own logger, silenced: tests assert on results, not on its warnings. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** A test clock the emulator reads; tests move it instead of sleeping. */
export class TestClock {
  constructor(public ms = Date.UTC(2024, 10, 25, 10, 0, 0)) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Started {
  emulator: SlackEmulator;
  clock: TestClock;
  client(token?: string, options?: WebClientOptions): WebClient;
}

export async function startEmulator(options: SlackEmulatorOptions = {}): Promise<Started> {
  const clock = new TestClock();
  const emulator = createSlackEmulator({ now: clock.now, ...options });
  await emulator.start();
  return {
    emulator,
    clock,
    client: (token = DEFAULT_BOT_TOKEN, clientOptions = {}) =>
      new WebClient(token, {
        slackApiUrl: emulator.apiUrl,
        logger: silentLogger,
        retryConfig: { retries: 0 },
        ...clientOptions,
      }),
  };
}

/** A POST straight to the emulator, for shapes WebClient never sends. */
export async function rawPost(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

/** A modal with one required text input, like CoffeeBuddy's order modal. */
export const ORDER_MODAL = {
  type: 'modal',
  callback_id: 'order_modal',
  title: { type: 'plain_text', text: 'Your order' },
  submit: { type: 'plain_text', text: 'Place order' },
  blocks: [
    {
      type: 'input',
      block_id: 'order',
      label: { type: 'plain_text', text: 'What would you like?' },
      element: { type: 'plain_text_input', action_id: 'text' },
    },
  ],
};
