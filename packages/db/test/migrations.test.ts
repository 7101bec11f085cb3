import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHANNEL_SETTING_BOUNDS } from '@coffeebuddy/contracts';
import pg from 'pg';
import { DEFAULT_MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from '../src';
import { createTestDatabase, type TestDatabase } from '../src/testing';
import { loadDmmf, SCHEMA_PATH, schemaDrift } from './schema-drift';

const PLAN_TABLES = [
  'users',
  'channels',
  'runs',
  'orders',
  'user_preferences',
  'runner_stats',
  'channel_admin_actions',
  'slack_installations',
  'processed_messages',
  'outbox_events',
];

describe('migrations on a fresh database', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    const result = await migrate(db.config);
    expect(result.applied).toEqual(readMigrations().map((m) => m.name));
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('creates every table of the plan and of the design', async () => {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const tables = rows.map((r) => r.table_name);
    for (const table of PLAN_TABLES) expect(tables).toContain(table);
  });

  it('matches schema.prisma exactly: columns, types, nullability, defaults, indexes, keys', async () => {
    expect(await schemaDrift(client)).toEqual([]);
  });

  it('records migrations the way prisma migrate deploy does', async () => {
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"',
    );
    const files = readMigrations();
    expect(rows).toHaveLength(files.length);
    for (const file of files) {
      const row = rows.find((r) => r.migration_name === file.name);
      expect(row?.checksum).toBe(file.checksum);
      expect(row?.finished_at).toBeInstanceOf(Date);
      expect(row?.applied_steps_count).toBe(1);
    }
  });

  it('is a no-op the second time', async () => {
    const before = await client.query('SELECT id, finished_at FROM "_prisma_migrations" ORDER BY id');
    const result = await migrate(db.config);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toHaveLength(readMigrations().length);
    const after = await client.query('SELECT id, finished_at FROM "_prisma_migrations" ORDER BY id');
    expect(after.rows).toEqual(before.rows);
  });

  it('defaults data_retention_days to 90 and keeps a per-channel override', async () => {
    await client.query("INSERT INTO channels (id, team_id) VALUES ('C_DEFAULT', 'T1')");
    await client.query(
      "INSERT INTO channels (id, team_id, data_retention_days) VALUES ('C_OVERRIDE', 'T1', 30)",
    );
    const { rows } = await client.query<{ id: string; data_retention_days: number }>(
      "SELECT id, data_retention_days FROM channels WHERE id IN ('C_DEFAULT','C_OVERRIDE') ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 'C_DEFAULT', data_retention_days: CHANNEL_SETTING_BOUNDS.dataRetentionDays.default },
      { id: 'C_OVERRIDE', data_retention_days: 30 },
    ]);
    expect(CHANNEL_SETTING_BOUNDS.dataRetentionDays.default).toBe(90);
  });

  it.each(Object.entries(CHANNEL_SETTING_BOUNDS))(
    'bounds %s in the database as in code',
    async (setting, bounds) => {
      const column = setting.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const insert = (value: number) =>
        client.query(`INSERT INTO channels (id, team_id, ${column}) VALUES ($1, 'T1', $2)`, [
          `C_${column}_${value}`,
          value,
        ]);
      await expect(insert(bounds.min - 1)).rejects.toThrow(/check constraint/);
      await expect(insert(bounds.max + 1)).rejects.toThrow(/check constraint/);
      await expect(insert(bounds.min)).resolves.toBeDefined();
      await expect(insert(bounds.max)).resolves.toBeDefined();
      const { rows } = await client.query(`SELECT column_default FROM information_schema.columns
      WHERE table_name = 'channels' AND column_name = '${column}'`);
      expect(rows[0].column_default).toBe(String(bounds.default));
    },
  );

  describe('rules the database enforces', () => {
    beforeAll(async () => {
      await client.query("INSERT INTO channels (id, team_id) VALUES ('C_RULES', 'T1')");
      await client.query("INSERT INTO users (id, team_id) VALUES ('U1', 'T1'), ('U2', 'T1')");
    });

    it('allows at most one open run per channel', async () => {
      await client.query(
        "INSERT INTO runs (channel_id, team_id, initiator_id, correlation_id) VALUES ('C_RULES', 'T1', 'U1', 'c1')",
      );
      await expect(
        client.query(
          "INSERT INTO runs (channel_id, team_id, initiator_id, correlation_id) VALUES ('C_RULES', 'T1', 'U2', 'c2')",
        ),
      ).rejects.toThrow(/runs_one_open_per_channel/);
      // Closed and cancelled runs do not count.
      await client.query("UPDATE runs SET status = 'closed' WHERE channel_id = 'C_RULES'");
      await client.query(
        "INSERT INTO runs (channel_id, team_id, initiator_id, correlation_id, status) VALUES ('C_RULES', 'T1', 'U2', 'c3', 'cancelled')",
      );
      await expect(
        client.query(
          "INSERT INTO runs (channel_id, team_id, initiator_id, correlation_id) VALUES ('C_RULES', 'T1', 'U2', 'c4')",
        ),
      ).resolves.toBeDefined();
    });

    it('allows at most one active order per user per run', async () => {
      const { rows } = await client.query<{ id: string }>(
        "SELECT id FROM runs WHERE channel_id = 'C_RULES' AND status = 'open'",
      );
      const runId = rows[0]?.id;
      await client.query("INSERT INTO orders (run_id, user_id, text) VALUES ($1, 'U1', 'flat white')", [
        runId,
      ]);
      await expect(
        client.query("INSERT INTO orders (run_id, user_id, text) VALUES ($1, 'U1', 'latte')", [runId]),
      ).rejects.toThrow(/orders_one_active_per_user/);
      // Cancelled orders do not count; another user is fine.
      await client.query("UPDATE orders SET status = 'cancelled' WHERE run_id = $1 AND user_id = 'U1'", [
        runId,
      ]);
      await client.query("INSERT INTO orders (run_id, user_id, text) VALUES ($1, 'U1', 'latte')", [runId]);
      await client.query("INSERT INTO orders (run_id, user_id, text) VALUES ($1, 'U2', 'tea')", [runId]);
      const count = await client.query(
        "SELECT count(*)::int AS n FROM orders WHERE run_id = $1 AND status = 'active'",
        [runId],
      );
      expect(count.rows[0].n).toBe(2);
    });
  });
});

describe('schema drift detection', () => {
  it('reports a schema.prisma that disagrees with the migrations', async () => {
    const db = await createTestDatabase({ migrated: true });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-schema-'));
    try {
      const edited = readFileSync(SCHEMA_PATH, 'utf8')
        .replace('  note          String?\n', '  note          String?\n  venue         String?\n')
        .replace('@@index([channelId, createdAt], map: "runs_channel_created_idx")', '');
      const file = path.join(dir, 'schema.prisma');
      writeFileSync(file, edited);
      const problems = await schemaDrift(client, loadDmmf(file));
      expect(problems).toEqual(
        expect.arrayContaining([
          'column runs.venue is missing',
          'index runs_channel_created_idx on runs exists in the database but not in the schema',
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await client.end();
      await db.drop();
    }
  });
});

describe('migration runner safety', () => {
  it('refuses a migration edited after it was applied, and rolls back a failing one', async () => {
    const db = await createTestDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-migrations-'));
    try {
      cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      await migrate(db.config, { migrationsDir: dir });
      const first = readMigrations(dir)[0];
      writeFileSync(path.join(dir, first?.name ?? '', 'migration.sql'), `${first?.sql}\n-- edited\n`);
      await expect(migrate(db.config, { migrationsDir: dir })).rejects.toMatchObject({
        code: 'MIGRATION_MODIFIED',
      });

      cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      const broken = path.join(dir, '29990101000000_broken');
      mkdirSync(broken);
      writeFileSync(
        path.join(broken, 'migration.sql'),
        'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n',
      );
      const error = await migrate(db.config, { migrationsDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).code).toBe('MIGRATION_FAILED');
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const leftovers = await client.query("SELECT to_regclass('public.half_done') AS t");
      const rows = await client.query(
        "SELECT 1 FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'",
      );
      await client.end();
      expect(leftovers.rows[0].t).toBeNull();
      expect(rows.rowCount).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  });
});

describe('20261203000000_run_note_parts', () => {
  it('turns notes stored as Slack sent them into what the person typed, escaped never', async () => {
    const db = await createTestDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-migrations-'));
    const name = '20261203000000_run_note_parts';
    try {
      for (const migration of readMigrations().filter((m) => m.name < name)) {
        cpSync(path.join(DEFAULT_MIGRATIONS_DIR, migration.name), path.join(dir, migration.name), {
          recursive: true,
        });
      }
      cpSync(path.join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), path.join(dir, 'migration_lock.toml'));
      await migrate(db.config, { migrationsDir: dir });
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query("INSERT INTO channels (id, team_id) VALUES ('C0001', 'T0001')");
      await client.query("INSERT INTO users (id, team_id) VALUES ('U0001', 'T0001')");
      const notes = ['M&amp;S run &lt;3', 'a &amp;lt; b &amp;amp; c', 'oat flat whites', null];
      for (const [i, note] of notes.entries()) {
        await client.query(
          `INSERT INTO runs (channel_id, team_id, initiator_id, status, note, correlation_id)
           VALUES ('C0001', 'T0001', 'U0001', $1::run_status, $2, $3)`,
          [i === 0 ? 'open' : 'closed', note, `corr-${i}`],
        );
      }
      cpSync(path.join(DEFAULT_MIGRATIONS_DIR, name), path.join(dir, name), { recursive: true });
      await migrate(db.config, { migrationsDir: dir });
      const { rows } = await client.query('SELECT note, note_parts FROM runs ORDER BY correlation_id');
      await client.end();
      expect(rows).toEqual([
        { note: 'M&S run <3', note_parts: null },
        { note: 'a &lt; b &amp; c', note_parts: null },
        { note: 'oat flat whites', note_parts: null },
        { note: null, note_parts: null },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  });
});
