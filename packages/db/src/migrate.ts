import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { poolOptions } from './client';
import { type DbConfig, redactUrl } from './config';

/**
 * Applies prisma/migrations the way `prisma migrate deploy` does, without Prisma's schema
 * engine: the same folder format, the same `_prisma_migrations` bookkeeping (sha256 checksum
 * of migration.sql) and the same advisory lock, so either tool can take over from the other.
 * Each migration runs in one transaction together with its bookkeeping row.
 */

/** The advisory lock key Prisma Migrate takes, so this runner and the CLI never interleave. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', '..', 'prisma', 'migrations');

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  constructor(
    readonly code:
      | 'MIGRATION_FAILED'
      | 'MIGRATION_MODIFIED'
      | 'MIGRATION_PREVIOUSLY_FAILED'
      | 'MIGRATIONS_DIR_INVALID',
    message: string,
  ) {
    super(message);
  }
}

export function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError('MIGRATIONS_DIR_INVALID', `no migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      if (!existsSync(file))
        throw new MigrationError('MIGRATIONS_DIR_INVALID', `${name} has no migration.sql`);
      const bytes = readFileSync(file);
      return {
        name,
        sql: bytes.toString('utf8'),
        checksum: createHash('sha256').update(bytes).digest('hex'),
      };
    });
}

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface MigrateOptions {
  migrationsDir?: string;
  onProgress?: (message: string) => void;
}

/** Applies every migration not yet applied. Idempotent: a second run applies nothing. */
export async function migrate(config: DbConfig, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = readMigrations(options.migrationsDir);
  const say = options.onProgress ?? (() => undefined);
  const ClientClass = (poolOptions(config).Client ?? pg.Client) as typeof pg.Client;
  // No statement_timeout here: a migration may rewrite a large table.
  const client = new ClientClass({ connectionString: config.databaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new MigrationError(
      'MIGRATION_FAILED',
      `cannot connect to ${redactUrl(config.databaseUrl)}: ${(error as Error).message}`,
    );
  }
  try {
    // Neither wait for another migrator nor queue DDL behind live traffic for ever.
    await client.query("SET lock_timeout = '30s'");
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        'MIGRATION_PREVIOUSLY_FAILED',
        `migration ${failed.migration_name} failed earlier and is not rolled back; resolve it first ` +
          '(fix the database, then mark it with `prisma migrate resolve` or delete its _prisma_migrations row)',
      );
    }
    const done = new Map(
      rows
        .filter((row) => row.finished_at !== null && row.rolled_back_at === null)
        .map((row) => [row.migration_name, row]),
    );
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const existing = done.get(migration.name);
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          throw new MigrationError(
            'MIGRATION_MODIFIED',
            `migration ${migration.name} was changed after it was applied (checksum differs); add a new migration instead`,
          );
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      say(`applying ${migration.name}`);
      const started = Date.now();
      try {
        await client.query('BEGIN');
        const id = randomUUID();
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
          [id, migration.checksum, migration.name],
        );
        await client.query(migration.sql);
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(
          'MIGRATION_FAILED',
          `migration ${migration.name} failed and was rolled back: ${(error as Error).message}`,
        );
      }
      say(`applied ${migration.name} in ${Date.now() - started} ms`);
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
