import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stable codes for why a request was refused, for logs and metrics. */
export type SlackVerificationErrorCode =
  | 'MISSING_SIGNATURE'
  | 'MISSING_TIMESTAMP'
  | 'INVALID_TIMESTAMP'
  | 'STALE_TIMESTAMP'
  | 'FUTURE_TIMESTAMP'
  | 'INVALID_SIGNATURE'
  | 'REPLAYED';

export class SlackVerificationError extends Error {
  constructor(
    readonly code: SlackVerificationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SlackVerificationError';
  }
}

/** Slack's rule: requests more than five minutes off our clock are refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export interface SlackRequest {
  /** The raw body exactly as received: the signature covers these bytes. */
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
}

const header = (headers: SlackRequest['headers'], name: string): string | undefined => {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Verifies Slack's request signature (`v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the
 * signing secret), compared in constant time, and that the timestamp is within five minutes of
 * `nowSeconds` either way. Pure: the caller passes the clock. Throws SlackVerificationError.
 */
export function verifySlackRequest(signingSecret: string, request: SlackRequest, nowSeconds: number): void {
  if (!signingSecret) throw new Error('signing secret is empty');
  const signature = header(request.headers, 'x-slack-signature');
  const timestamp = header(request.headers, 'x-slack-request-timestamp');
  if (!signature)
    throw new SlackVerificationError('MISSING_SIGNATURE', 'X-Slack-Signature header is missing');
  if (!timestamp)
    throw new SlackVerificationError('MISSING_TIMESTAMP', 'X-Slack-Request-Timestamp header is missing');
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new SlackVerificationError(
      'INVALID_TIMESTAMP',
      'X-Slack-Request-Timestamp is not a number of seconds',
    );
  }
  const skew = nowSeconds - Number(timestamp);
  if (skew > MAX_CLOCK_SKEW_SECONDS) {
    throw new SlackVerificationError(
      'STALE_TIMESTAMP',
      `request timestamp is ${skew} s old (limit ${MAX_CLOCK_SKEW_SECONDS} s)`,
    );
  }
  if (skew < -MAX_CLOCK_SKEW_SECONDS) {
    throw new SlackVerificationError(
      'FUTURE_TIMESTAMP',
      `request timestamp is ${-skew} s in the future (limit ${MAX_CLOCK_SKEW_SECONDS} s)`,
    );
  }
  const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${request.rawBody}`).digest('hex')}`;
  const given = Buffer.from(signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new SlackVerificationError('INVALID_SIGNATURE', 'signature does not match the request');
  }
}

/**
 * Refuses a signed request seen before (same signature) while its timestamp is still inside the
 * accepted window. Slack never sends the same signature twice: its retries are signed anew.
 * Per process; entries expire with the window.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowSeconds = 2 * MAX_CLOCK_SKEW_SECONDS) {}

  check(signature: string, nowSeconds: number): void {
    this.expire(nowSeconds);
    if (this.seen.has(signature)) {
      throw new SlackVerificationError('REPLAYED', 'this exact signed request was already received');
    }
    this.seen.set(signature, nowSeconds + this.windowSeconds);
  }

  private expire(nowSeconds: number): void {
    // Entries are inserted in time order, so the oldest come first.
    for (const [signature, expiresAt] of this.seen) {
      if (expiresAt > nowSeconds) break;
      this.seen.delete(signature);
    }
  }
}
