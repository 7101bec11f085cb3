import type { Db } from './client';
import type { Prisma } from './generated/prisma/client';
import { backoffDelay, sleep } from './retry';

export type Tx = Prisma.TransactionClient;

export interface TransactionOptions {
  isolationLevel?: Prisma.TransactionIsolationLevel;
  /** Extra attempts after a serialization failure or deadlock. */
  retries?: number;
  /** Overrides the client's transaction timeout (DATABASE_TRANSACTION_TIMEOUT_MS) for long work. */
  timeoutMs?: number;
}

/** Postgres errors worth retrying the whole transaction for. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export function isRetryableTransactionError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: string; meta?: { code?: string }; cause?: { code?: string }; message?: string };
  if (e.code === 'P2034') return true;
  const sqlState = e.meta?.code ?? e.cause?.code ?? e.code;
  if (sqlState && RETRYABLE_SQLSTATES.has(sqlState)) return true;
  return /could not serialize access|deadlock detected/.test(e.message ?? '');
}

/**
 * Runs `work` in one transaction; retried (whole) on serialization failures and deadlocks, so
 * callers can use SERIALIZABLE where they need it without writing the loop themselves.
 */
export async function withTransaction<T>(
  db: Db,
  work: (tx: Tx) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(work, {
        ...(options.isolationLevel ? { isolationLevel: options.isolationLevel } : {}),
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      });
    } catch (error) {
      if (attempt > retries || !isRetryableTransactionError(error)) throw error;
      await sleep(backoffDelay({ maxAttempts: retries + 1, initialDelayMs: 20, maxDelayMs: 500 }, attempt));
    }
  }
}
