import pg from 'pg';
import { createDb, type Db, sweepRetention } from '../src';
import { createTestDatabase, type TestDatabase } from '../src/testing';

/** The retention sweep on a real PostgreSQL: both sides of every boundary, per channel. */

let database: TestDatabase;
let db: Db;
let sql: pg.Client;
const NOW = new Date('2026-12-03T12:00:00Z');
const DAY = 86_400_000;
const ago = (days: number, extraMs = 0) => new Date(NOW.getTime() - days * DAY + extraMs);

beforeAll(async () => {
  database = await createTestDatabase({ migrated: true });
  db = await createDb(database.config);
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  await sql.query("INSERT INTO users (id, team_id) VALUES ('U1', 'T1'), ('U2', 'T1'), ('U3', 'T1')");
});

afterAll(async () => {
  await sql?.end();
  await db?.$disconnect();
  await database?.drop();
});

async function channel(id: string, retentionDays: number, windowDays = 1) {
  await sql.query(
    'INSERT INTO channels (id, team_id, data_retention_days, fairness_window_days) VALUES ($1, $2, $3, $4)',
    [id, 'T1', retentionDays, windowDays],
  );
}

/** A run that ended `endedAt` (closed with `runner`, or cancelled), with one order per person. */
async function run(
  channelId: string,
  endedAt: Date | null,
  options: { status?: 'closed' | 'cancelled' | 'open'; runner?: string; orders?: string[] } = {},
) {
  const status = options.status ?? (endedAt ? 'closed' : 'open');
  const { rows } = await sql.query(
    `INSERT INTO runs (channel_id, team_id, initiator_id, runner_id, status, closed_at, correlation_id, created_at)
     VALUES ($1, 'T1', 'U1', $2, $3::run_status, $4, 'c', $5) RETURNING id`,
    [channelId, options.runner ?? null, status, endedAt, endedAt ?? NOW],
  );
  const id = rows[0].id as string;
  for (const user of options.orders ?? []) {
    await sql.query("INSERT INTO orders (run_id, user_id, text) VALUES ($1, $2, 'flat white')", [id, user]);
  }
  return id;
}

const remaining = async (table: string, where: string, params: unknown[]) =>
  (await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).rows[0].n as number;

describe('sweepRetention', () => {
  it('deletes ended runs past each channel’s retention with their orders, keeps the rest, and keeps runner_stats true', async () => {
    await channel('C90', 90);
    await channel('C7', 7);
    await channel('CWIN', 5, 30); // retention 5 days, but fairness counts 30: runs stay 30 days
    const keep = [
      await run('C90', ago(90, 60_000), { runner: 'U1', orders: ['U1', 'U2'] }), // a minute inside
      await run('C90', null, { orders: ['U1'] }), // open: never
      await run('C7', ago(6), { runner: 'U2' }),
      await run('CWIN', ago(29), { runner: 'U1' }),
    ];
    const gone = [
      await run('C90', ago(90, -60_000), { runner: 'U1', orders: ['U1', 'U2', 'U3'] }), // a minute past
      await run('C90', ago(400), { status: 'cancelled' }),
      await run('C7', ago(8), { runner: 'U2', orders: ['U2'] }),
      await run('CWIN', ago(31), { runner: 'U1' }),
    ];
    await sql.query(
      `INSERT INTO runner_stats (channel_id, user_id, runs_served_count, last_run_at) VALUES
       ('C90', 'U1', 2, $1), ('C7', 'U2', 2, $1), ('CWIN', 'U1', 2, $1)`,
      [ago(6)],
    );

    const report = await sweepRetention(db, { batchSize: 2, horizonDays: 30, now: NOW });
    expect(report.deleted.runs).toBe(4);
    expect(report.deleted.orders).toBe(4);
    expect(report.batches).toBeGreaterThan(2); // batches of 2: more than one for the runs
    expect(await remaining('runs', 'id = ANY($1)', [keep])).toBe(4);
    expect(await remaining('runs', 'id = ANY($1)', [gone])).toBe(0);
    expect(await remaining('orders', 'run_id = ANY($1)', [keep])).toBe(3);
    // Each runner served one closed run that is gone: their count is what is still on record.
    const stats = await sql.query(
      'SELECT channel_id, runs_served_count FROM runner_stats ORDER BY channel_id',
    );
    expect(stats.rows).toEqual([
      { channel_id: 'C7', runs_served_count: 1 },
      { channel_id: 'C90', runs_served_count: 1 },
      { channel_id: 'CWIN', runs_served_count: 1 },
    ]);
    // A second sweep finds nothing more.
    const again = await sweepRetention(db, { batchSize: 2, horizonDays: 30, now: NOW });
    expect(again.deleted.runs).toBe(0);
  });

  it('deletes preferences not used within the retention, and old bookkeeping past the horizon', async () => {
    await channel('CPREF', 30);
    await sql.query(
      `INSERT INTO user_preferences (user_id, channel_id, last_order_text, updated_at) VALUES
       ('U1', 'CPREF', 'old', $1), ('U2', 'CPREF', 'recent', $2)`,
      [ago(31), ago(29)],
    );
    await sql.query(
      `INSERT INTO processed_messages (consumer_group, message_id, topic, partition, "offset", processed_at) VALUES
       ('g', 'old', 't', 0, '1', $1), ('g', 'new', 't', 0, '2', $2)`,
      [ago(31), ago(29)],
    );
    await sql.query(
      `INSERT INTO outbox_events (owner, topic, key, message, correlation_id, published_at) VALUES
       ('runs-service', 't', 'old', '{}', 'c', $1), ('runs-service', 't', 'new', '{}', 'c', $2),
       ('runs-service', 't', 'pending', '{}', 'c', NULL)`,
      [ago(31), ago(29)],
    );
    await sql.query(
      `INSERT INTO slack_effects (kind, key, team_id, correlation_id, status, deadline_at, updated_at) VALUES
       ('tell', 'old-sent', 'T1', 'c', 'sent', $1, $1), ('tell', 'old-pending', 'T1', 'c', 'pending', $1, $1),
       ('tell', 'new-sent', 'T1', 'c', 'sent', $2, $2)`,
      [ago(31), ago(29)],
    );
    const report = await sweepRetention(db, { batchSize: 100, horizonDays: 30, now: NOW });
    expect(report.deleted).toMatchObject({
      user_preferences: 1,
      processed_messages: 1,
      outbox_events: 1,
      slack_effects: 1,
    });
    expect(
      (await sql.query("SELECT last_order_text FROM user_preferences WHERE channel_id = 'CPREF'")).rows,
    ).toEqual([{ last_order_text: 'recent' }]);
    expect((await sql.query('SELECT message_id FROM processed_messages')).rows).toEqual([
      { message_id: 'new' },
    ]);
    expect((await sql.query('SELECT key FROM outbox_events ORDER BY key')).rows).toEqual([
      { key: 'new' },
      { key: 'pending' },
    ]);
    expect((await sql.query('SELECT key FROM slack_effects ORDER BY key')).rows).toEqual([
      { key: 'new-sent' },
      { key: 'old-pending' },
    ]);
  });

  it('skips rows another transaction holds, and takes them next time', async () => {
    await channel('CLOCK', 1);
    const held = await run('CLOCK', ago(10), { runner: 'U3' });
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM runs WHERE id = $1 FOR UPDATE', [held]);
      const first = await sweepRetention(db, { batchSize: 10, horizonDays: 30, now: NOW });
      expect(first.deleted.runs).toBe(0);
      await other.query('ROLLBACK');
      const second = await sweepRetention(db, { batchSize: 10, horizonDays: 30, now: NOW });
      expect(second.deleted.runs).toBe(1);
    } finally {
      await other.end();
    }
  });
});
