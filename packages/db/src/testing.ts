import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DbConfig, loadDbConfig } from './config';
import { migrate } from './migrate';

/**
 * Test support for every package whose tests need PostgreSQL: a fresh, uniquely named database
 * on the real server at DATABASE_URL (the role needs CREATEDB), dropped afterwards.
 */
export interface TestDatabase {
  url: string;
  config: DbConfig;
  name: string;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set. Integration tests need a real PostgreSQL: run them through `pnpm test:all` ' +
        '(which starts the local infrastructure) or export DATABASE_URL yourself.',
    );
  }
  return url;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `cb_test_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = withDatabase(admin, name);
  const config = loadDbConfig({ DATABASE_URL: url, DATABASE_CONNECT_MAX_ATTEMPTS: '3' });
  if (options.migrated) await migrate(config);
  return {
    url,
    config,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
