import { ErrorCode, LogLevel, type WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

export interface SlackClientOptions {
  /** Web API base, e.g. https://slack.com/api/ or the emulator's http://127.0.0.1:3999/api/ */
  slackApiUrl: string;
  logger: Logger;
  /** Longest Retry-After we wait out in-line; longer ones fail the call (the consumer retries). */
  maxRetryAfterSeconds?: number;
  /** Rate-limited retries of one call. */
  maxRateLimitRetries?: number;
  timeoutMs?: number;
}

export class SlackRateLimitedError extends Error {
  readonly code = 'SLACK_RATE_LIMITED';
  constructor(
    readonly method: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`Slack rate-limited ${method}; it asked to wait ${retryAfterSeconds} s`);
  }
}

/** Web API methods that do the same thing when repeated, so a lost answer may simply be retried. */
const IDEMPOTENT_METHODS = new Set([
  'users.info',
  'conversations.open',
  'conversations.history',
  'conversations.info',
  'chat.update',
  'views.publish',
  'auth.test',
]);

/**
 * Web API clients with bounded behaviour. WebClient's defaults retry for about 30 minutes and
 * queue rate-limited calls silently, which would stall a Kafka partition past its session
 * timeout — and they re-send a `chat.postMessage` whose answer was lost, which posts it twice
 * (Slack has no idempotency key). Here WebClient itself never retries: `call` makes at most 2
 * quick retries on network errors and HTTP 5xx for idempotent methods only, waits out Retry-After
 * only while it is short, and otherwise fails fast with a coded error. Posts are retried by the
 * Slack effects deliverer, which first checks whether the lost attempt landed.
 */
export class SlackClients {
  private readonly clients = new Map<string, WebClient>();

  constructor(private readonly options: SlackClientOptions) {}

  /** A client for one bot token (cached). */
  forToken(token: string): WebClient {
    let client = this.clients.get(token);
    if (!client) {
      client = new WebClient(token, {
        slackApiUrl: this.options.slackApiUrl,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
        timeout: this.options.timeoutMs ?? 5_000,
        logLevel: LogLevel.ERROR,
      });
      this.clients.set(token, client);
    }
    return client;
  }

  /**
   * Runs a Web API call, waiting out short Retry-After answers a bounded number of times and, for
   * idempotent methods, retrying network errors and HTTP 5xx twice (100 ms, then 300 ms).
   * Throws the WebClient's error (`data.error` holds Slack's code) or SlackRateLimitedError.
   */
  async call<T>(method: string, attempt: () => Promise<T>): Promise<T> {
    const maxWait = this.options.maxRetryAfterSeconds ?? 5;
    const maxRetries = this.options.maxRateLimitRetries ?? 2;
    let networkRetries = 0;
    for (let retries = 0; ; retries++) {
      try {
        return await attempt();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (
          IDEMPOTENT_METHODS.has(method) &&
          networkRetries < 2 &&
          (code === ErrorCode.RequestError || code === ErrorCode.HTTPError)
        ) {
          await new Promise((resolve) => setTimeout(resolve, 100 * 3 ** networkRetries));
          networkRetries++;
          continue;
        }
        if (code !== ErrorCode.RateLimitedError) throw error;
        const retryAfter = (error as WebAPIRateLimitedError).retryAfter;
        if (retryAfter > maxWait || retries >= maxRetries)
          throw new SlackRateLimitedError(method, retryAfter);
        this.options.logger.warn(
          { method, retryAfter, retry: retries + 1 },
          'Slack rate-limited the call; waiting Retry-After',
        );
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1_000));
      }
    }
  }
}
