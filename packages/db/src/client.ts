import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { type DbConfig, readCredentialsFile, redactUrl } from './config';
import { PrismaClient } from './generated/prisma/client';
import { backoffDelay, sleep } from './retry';

export type Db = PrismaClient;

/** Minimal logger shape (pino's) so this package does not choose the logger. */
export interface DbLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export class DatabaseUnavailableError extends Error {
  readonly code = 'DB_UNAVAILABLE';
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/**
 * pg pool options for a config: every session gets the config's `statement_timeout` and
 * `lock_timeout`; credentials from the secret file are read per connection.
 */
export function poolOptions(config: DbConfig): pg.PoolConfig {
  const options: pg.PoolConfig = {
    connectionString: config.databaseUrl,
    max: config.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: config.session.statementTimeoutMs,
    lock_timeout: config.session.lockTimeoutMs,
  };
  const file = config.credentialsFile;
  if (file !== undefined) {
    const credentialsFile: string = file;
    // pg creates a Client for every new connection; reading the file there means credentials
    // a Vault agent rotated are used on the next reconnect without a restart.
    options.Client = class VaultCredentialsClient extends pg.Client {
      constructor(clientConfig?: pg.ClientConfig) {
        const { username, password } = readCredentialsFile(credentialsFile);
        // pg lets a connection string win over user/password, so the credentials go into it.
        const url = new URL(clientConfig?.connectionString ?? config.databaseUrl);
        url.username = encodeURIComponent(username);
        url.password = encodeURIComponent(password);
        super({ ...clientConfig, connectionString: url.toString() });
      }
    };
  }
  return options;
}

/**
 * The one way apps get a database session: a Prisma client over a pg pool, connected (with
 * bounded retry) before it is returned. Close it with `db.$disconnect()`.
 */
export async function createDb(config: DbConfig, logger?: DbLogger): Promise<Db> {
  const pool = new pg.Pool(poolOptions(config));
  // An idle client erroring (server restart) must not crash the process; the pool replaces it.
  pool.on('error', (error) => logger?.warn({ err: error.message }, 'idle database connection failed'));
  const db = new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    // Any other format captures a stack trace (new Error()) for every query to point at the call
    // site in error messages: ~1.5% of runs-service's CPU under load plus its garbage. Our logs
    // carry the error's message and code, and the correlation ID says where it came from.
    errorFormat: 'minimal',
    transactionOptions: {
      timeout: config.session.transactionTimeoutMs,
      maxWait: config.session.transactionMaxWaitMs,
    },
  });
  try {
    await waitForDatabase(db, config, logger);
  } catch (error) {
    await db.$disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  return db;
}

async function waitForDatabase(db: Db, config: DbConfig, logger?: DbLogger): Promise<void> {
  const policy = config.connectRetry;
  let lastError = '';
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    try {
      await db.$queryRaw`SELECT 1`;
      if (attempt > 1) logger?.info({ attempt }, 'database reachable');
      return;
    } catch (error) {
      lastError = describe(error);
      if (attempt === policy.maxAttempts) break;
      const delayMs = backoffDelay(policy, attempt);
      logger?.warn(
        { attempt, maxAttempts: policy.maxAttempts, delayMs, err: lastError },
        'database not reachable yet, retrying',
      );
      await sleep(delayMs);
    }
  }
  throw new DatabaseUnavailableError(
    `database ${redactUrl(config.databaseUrl)} not reachable after ${policy.maxAttempts} attempts: ${lastError}`,
    policy.maxAttempts,
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (error as { code?: unknown }).code;
    const base = error.message.split('\n').filter(Boolean).pop() ?? error.message;
    return [code ? `[${String(code)}]` : '', base, cause instanceof Error ? `(${cause.message})` : '']
      .filter(Boolean)
      .join(' ');
  }
  return String(error);
}
