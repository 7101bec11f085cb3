import { readFileSync } from 'node:fs';

/**
 * How the database is reached. Parsed once from the environment by `loadDbConfig` and passed
 * down; nothing in this package reads `process.env` on its own.
 */
export interface DbConfig {
  /** Where the database is. May carry credentials; `credentialsFile` overrides them. */
  databaseUrl: string;
  /**
   * A file holding the credentials, as a Vault agent renders it: JSON
   * `{"username": "...", "password": "..."}` or `username=...` / `password=...` lines.
   * Read again for every new connection, so rotated credentials are picked up on reconnect.
   */
  credentialsFile?: string;
  /** Connections in the pool. */
  poolMax: number;
  /** Bounded connection retry at start-up. */
  connectRetry: RetryPolicy;
  /**
   * Session limits, so a stuck query cannot hold a consumer past its Kafka session timeout (and
   * get its message handled twice): PostgreSQL's `statement_timeout` (57014) and `lock_timeout`
   * (55P03) in ms, and Prisma's interactive-transaction `timeout` and `maxWait` (both P2028).
   * Each failure is transient (`isTransientError`): the work is retried, never dead-lettered.
   */
  session: {
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    transactionTimeoutMs: number;
    transactionMaxWaitMs: number;
  };
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the second attempt; doubles each time, with jitter. */
  initialDelayMs: number;
  /** Upper bound of one delay. */
  maxDelayMs: number;
}

export class DbConfigError extends Error {
  readonly code = 'DB_CONFIG_INVALID';
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new DbConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

/** Reads the database settings from an environment (normally `process.env`). */
export function loadDbConfig(env: Record<string, string | undefined>): DbConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    throw new DbConfigError(
      'DATABASE_URL is not set: give the database location, e.g. postgresql://host:5432/coffeebuddy ' +
        '(credentials may come from DATABASE_CREDENTIALS_FILE instead)',
    );
  }
  try {
    const parsed = new URL(databaseUrl);
    if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) throw new Error('protocol');
  } catch {
    throw new DbConfigError('DATABASE_URL is not a postgresql:// URL');
  }
  const credentialsFile = env.DATABASE_CREDENTIALS_FILE || undefined;
  return {
    databaseUrl,
    ...(credentialsFile ? { credentialsFile } : {}),
    poolMax: positiveInt(env, 'DATABASE_POOL_MAX', 10),
    connectRetry: {
      maxAttempts: positiveInt(env, 'DATABASE_CONNECT_MAX_ATTEMPTS', 8),
      initialDelayMs: positiveInt(env, 'DATABASE_CONNECT_INITIAL_DELAY_MS', 250),
      maxDelayMs: positiveInt(env, 'DATABASE_CONNECT_MAX_DELAY_MS', 5_000),
    },
    session: {
      statementTimeoutMs: positiveInt(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5_000),
      lockTimeoutMs: positiveInt(env, 'DATABASE_LOCK_TIMEOUT_MS', 3_000),
      transactionTimeoutMs: positiveInt(env, 'DATABASE_TRANSACTION_TIMEOUT_MS', 10_000),
      transactionMaxWaitMs: positiveInt(env, 'DATABASE_TRANSACTION_MAX_WAIT_MS', 2_000),
    },
  };
}

export interface DbCredentials {
  username: string;
  password: string;
}

/** Parses a credentials file as a Vault agent template renders it (JSON or key=value lines). */
export function readCredentialsFile(path: string): DbCredentials {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DbConfigError(`cannot read DATABASE_CREDENTIALS_FILE ${path}: ${(error as Error).message}`);
  }
  let fields: Record<string, unknown> = {};
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      fields = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new DbConfigError(`DATABASE_CREDENTIALS_FILE ${path} is not valid JSON`);
    }
  } else {
    for (const line of trimmed.split(/\r?\n/)) {
      const match = /^\s*(?:export\s+)?([A-Za-z_]+)\s*[=:]\s*"?(.*?)"?\s*$/.exec(line);
      if (match?.[1]) fields[match[1].toLowerCase()] = match[2];
    }
  }
  const username = fields.username ?? fields.user;
  const password = fields.password;
  if (typeof username !== 'string' || !username || typeof password !== 'string') {
    throw new DbConfigError(`DATABASE_CREDENTIALS_FILE ${path} must hold a username and a password`);
  }
  return { username, password };
}

/** The URL with any password masked, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
