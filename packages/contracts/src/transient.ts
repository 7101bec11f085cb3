/**
 * Whether an error is worth waiting out rather than dead-lettering: the database or Slack being
 * unreachable, slow, busy or rate-limiting is temporary; a bad message or a bug is not. Handlers
 * can also say so explicitly by throwing a TransientError.
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
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Prisma error codes (https://www.prisma.io/docs/orm/reference/error-reference): cannot reach
 * (P1001), timed out (P1002, P1008), server closed the connection (P1017), pool timeout (P2024),
 * write conflict or deadlock (P2034), transaction API error — no connection within `maxWait`,
 * or the transaction expired (P2028) — and too many database connections (P2037).
 */
const PRISMA_TRANSIENT = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034', 'P2037']);

/**
 * PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) that say
 * "try again": connection exceptions (class 08), insufficient resources (class 53, e.g. 53300
 * too_many_connections), admin shutdown / crash shutdown / cannot connect now (57P01–57P03),
 * query_canceled (57014: statement_timeout), lock_not_available (55P03: lock_timeout),
 * serialization_failure (40001) and deadlock_detected (40P01).
 */
export function isTransientSqlState(code: string): boolean {
  return /^(08|53|57P0)/.test(code) || ['57014', '55P03', '40001', '40P01'].includes(code);
}

/** @slack/web-api's own codes: network error, HTTP 5xx, rate limited; ours: a Retry-After too long to wait. */
const SLACK_CLIENT_TRANSIENT = new Set([
  'slack_webapi_request_error',
  'slack_webapi_http_error',
  'slack_webapi_rate_limited_error',
  'SLACK_RATE_LIMITED',
]);

/**
 * Slack Web API `error` values that mean "Slack is having trouble, try again"
 * (https://api.slack.com/web#errors, the per-method error lists): `ratelimited`,
 * `internal_error` (some part may have happened), `fatal_error`, `service_unavailable`,
 * `request_timeout`.
 */
export const SLACK_TRANSIENT_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

const TRANSIENT_MESSAGE =
  /Can't reach database server|Connection terminated|timed out fetching a new connection|terminating connection|too many clients|Transaction API error|Unable to start a transaction|Transaction already closed|socket hang up/i;

interface ErrorShape {
  transient?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  data?: { error?: unknown };
  meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } };
}

/**
 * True for errors of a dependency that is down, slow or busy (network, PostgreSQL, Prisma,
 * Slack); false for everything else, unknown errors included. Looks through `cause` chains and
 * Prisma's driver-adapter metadata (`meta.driverAdapterError.cause.originalCode` holds the
 * SQLSTATE when Prisma wraps a PostgreSQL error in P2010).
 */
export function isTransientError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as ErrorShape;
  if (e.transient === true) return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || PRISMA_TRANSIENT.has(code) || SLACK_CLIENT_TRANSIENT.has(code)) return true;
  if (code === 'slack_webapi_platform_error') {
    return typeof e.data?.error === 'string' && SLACK_TRANSIENT_ERRORS.has(e.data.error);
  }
  const sqlStates = [
    code,
    e.meta?.code,
    e.meta?.driverAdapterError?.cause?.originalCode,
    e.meta?.driverAdapterError?.cause?.code,
  ].filter((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));
  if (sqlStates.some(isTransientSqlState)) return true;
  if (typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message)) return true;
  return isTransientError(e.cause, depth + 1);
}
