/**
 * Whether an error is worth waiting out rather than dead-lettering: the database or Slack being
 * unreachable, slow or rate-limiting is temporary; a bad message or a bug is not. Handlers can
 * also say so explicitly by throwing a TransientError.
 */
export class TransientError extends Error {
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** Prisma: cannot reach / timed out / closed connection / pool timeout / transaction conflict. */
const PRISMA_TRANSIENT = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);
/** @slack/web-api: network error, HTTP 5xx, rate limited; ours: rate limit longer than we wait. */
const SLACK_TRANSIENT = new Set([
  'slack_webapi_request_error',
  'slack_webapi_http_error',
  'slack_webapi_rate_limited_error',
  'SLACK_RATE_LIMITED',
]);

export function isTransientError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as {
    transient?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (e.transient === true) return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || PRISMA_TRANSIENT.has(code) || SLACK_TRANSIENT.has(code)) return true;
  // PostgreSQL connection exceptions (08xxx), admin shutdown / crash (57P0x), serialization.
  if (/^(08|57P0)/.test(code) || code === '40001' || code === '40P01') return true;
  if (
    typeof e.message === 'string' &&
    /Can't reach database server|Connection terminated|timed out fetching a new connection/i.test(e.message)
  ) {
    return true;
  }
  return isTransientError(e.cause, depth + 1);
}
