import { isTransientError, SLACK_TRANSIENT_ERRORS } from '@coffeebuddy/contracts';
import { ErrorCode } from '@slack/web-api';
import { SlackRateLimitedError } from '../web-client';

/** How a failed delivery attempt is treated. */
export type AttemptFailure =
  /**
   * Try again later: Slack or the database is busy or unreachable. `outcomeUnknown` when Slack
   * may have acted before the error (a timeout, a lost answer, `internal_error`), so the next
   * attempt checks before posting again; `retryAfterMs` when Slack said how long to wait.
   */
  | { transient: true; code: string; message: string; outcomeUnknown: boolean; retryAfterMs?: number }
  /** Will fail again: Slack refused this call for this target (or an unknown error code). */
  | { transient: false; code: string; message: string };

/** Slack errors that say Slack may have done part of the call before failing (Slack's method docs). */
const MAYBE_DONE = new Set(['internal_error', 'fatal_error', 'request_timeout']);

/**
 * Sorts an error from a Slack call into retry-later or give-up, by Slack's error kinds:
 * rate limits (HTTP 429 + Retry-After), HTTP 5xx, network errors and the platform errors
 * `internal_error`, `fatal_error`, `service_unavailable`, `request_timeout` are transient; any
 * other platform error (`channel_not_found`, `not_in_channel`, `is_archived`,
 * `restricted_action*`, `message_not_found`, `cant_update_message`, `ekm_access_denied`,
 * `account_inactive`, `user_not_found`, codes we do not know) is permanent for this target.
 * Database errors are transient when `isTransientError` says so. Anything else (a bug) is
 * permanent, with its message, so it shows up as a failed effect rather than a silent loop.
 */
export function classifyAttemptError(error: unknown): AttemptFailure {
  const e = error as { code?: string; data?: { error?: string }; retryAfter?: number; message?: string };
  const message = e?.message ?? String(error);
  if (error instanceof SlackRateLimitedError) {
    return {
      transient: true,
      code: 'ratelimited',
      message,
      outcomeUnknown: false,
      retryAfterMs: error.retryAfterSeconds * 1_000,
    };
  }
  if (e?.code === ErrorCode.RateLimitedError) {
    return {
      transient: true,
      code: 'ratelimited',
      message,
      outcomeUnknown: false,
      retryAfterMs: (e.retryAfter ?? 1) * 1_000,
    };
  }
  if (e?.code === ErrorCode.PlatformError) {
    const slackError = e.data?.error ?? 'unknown_error';
    if (SLACK_TRANSIENT_ERRORS.has(slackError)) {
      return { transient: true, code: slackError, message, outcomeUnknown: MAYBE_DONE.has(slackError) };
    }
    return { transient: false, code: slackError, message };
  }
  if (e?.code === ErrorCode.RequestError || e?.code === ErrorCode.HTTPError) {
    // The request may have reached Slack and been acted on; only its answer is missing.
    return { transient: true, code: e.code, message, outcomeUnknown: true };
  }
  if (isTransientError(error)) {
    return { transient: true, code: e?.code ?? 'transient', message, outcomeUnknown: false };
  }
  return { transient: false, code: e?.code ?? 'error', message };
}
