import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isTransientError } from '@coffeebuddy/contracts';
import pg from 'pg';
import {
  createDb,
  DatabaseUnavailableError,
  type DbConfig,
  loadDbConfig,
  poolOptions,
  serializeRun,
  withTransaction,
} from '../src';
import { createTestDatabase, type TestDatabase } from '../src/testing';

/** A TCP port that nothing listens on until `open()` forwards it to the real database. */
async function lateProxy(target: URL): Promise<{ port: number; open(): void; close(): Promise<void> }> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  return {
    port,
    open: () => server.listen(port, '127.0.0.1'),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  u.hostname = '127.0.0.1';
  return u.toString();
}

describe('createDb (session factory)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  afterAll(async () => db?.drop());

  it('bounds every session: a lock held elsewhere ends in lock_timeout, a slow query in statement_timeout, both transient', async () => {
    const prisma = await createDb({
      ...db.config,
      session: {
        statementTimeoutMs: 400,
        lockTimeoutMs: 200,
        transactionTimeoutMs: 5_000,
        transactionMaxWaitMs: 500,
      },
    });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      const [settings] = await prisma.$queryRaw<{ statement: string; lock: string }[]>`
        SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock`;
      expect(settings).toEqual({ statement: '400ms', lock: '200ms' });
      await prisma.channel.create({ data: { id: 'CLOCK', teamId: 'T1' } });
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM channels WHERE id = 'CLOCK' FOR UPDATE`);
      const locked = await withTransaction(
        prisma,
        (tx) => tx.$queryRaw`SELECT id FROM channels WHERE id = 'CLOCK' FOR UPDATE`,
      ).catch((error: unknown) => error);
      expect(isTransientError(locked)).toBe(true);
      expect(JSON.stringify((locked as { meta?: unknown }).meta)).toContain('55P03');
      await holder.query('ROLLBACK');
      const slow = await prisma.$executeRaw`SELECT pg_sleep(2)`.catch((error: unknown) => error);
      expect(isTransientError(slow)).toBe(true);
      expect(JSON.stringify((slow as { meta?: unknown }).meta)).toContain('57014');
    } finally {
      await holder.end();
      await prisma.$disconnect();
    }
  });

  it('gives a working Prisma client through the pg adapter, with transactions and serializers', async () => {
    const prisma = await createDb(db.config);
    try {
      const run = await withTransaction(prisma, async (tx) => {
        await tx.channel.create({ data: { id: 'C1', teamId: 'T1' } });
        await tx.user.create({ data: { id: 'U1', teamId: 'T1' } });
        return tx.run.create({
          data: { channelId: 'C1', teamId: 'T1', initiatorId: 'U1', correlationId: 'corr-1', note: 'oat' },
        });
      });
      const channel = await prisma.channel.findUniqueOrThrow({ where: { id: 'C1' } });
      expect(channel.dataRetentionDays).toBe(90);
      const dto = serializeRun(run);
      expect(dto).toMatchObject({ channelId: 'C1', status: 'open', correlationId: 'corr-1', note: 'oat' });
      expect(typeof dto.createdAt).toBe('string');
      expect(JSON.parse(JSON.stringify(dto))).toEqual(dto);
      // A failing transaction leaves nothing behind.
      await expect(
        withTransaction(prisma, async (tx) => {
          await tx.user.create({ data: { id: 'U_ROLLED_BACK', teamId: 'T1' } });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await prisma.user.findUnique({ where: { id: 'U_ROLLED_BACK' } })).toBeNull();
    } finally {
      await prisma.$disconnect();
    }
  });

  it('waits for a database that comes up late', async () => {
    const proxy = await lateProxy(new URL(db.url));
    const config: DbConfig = {
      ...db.config,
      databaseUrl: withPort(db.url, proxy.port),
      connectRetry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 800 },
    };
    const warnings: object[] = [];
    setTimeout(() => proxy.open(), 1_200);
    const started = Date.now();
    const prisma = await createDb(config, { info: () => undefined, warn: (o) => warnings.push(o) });
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_100);
      expect(warnings.length).toBeGreaterThan(0);
      expect(await prisma.channel.count()).toBeGreaterThanOrEqual(0);
    } finally {
      await prisma.$disconnect();
      await proxy.close();
    }
  });

  it('fails clearly, without the password, for a database that never comes up', async () => {
    const proxy = await lateProxy(new URL(db.url)); // never opened
    const config: DbConfig = {
      ...db.config,
      databaseUrl: withPort(db.url.replace(/:[^:@/]+@/, ':s3cret-pw@'), proxy.port),
      connectRetry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 100 },
    };
    const error = await createDb(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as DatabaseUnavailableError).code).toBe('DB_UNAVAILABLE');
    expect((error as Error).message).toMatch(/not reachable after 3 attempts/);
    expect((error as Error).message).toMatch(/Can't reach database server/);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  describe('credentials from a Vault-agent-rendered secret file', () => {
    const role = `cb_vault_${Date.now()}`;
    let admin: pg.Client;
    let dir: string;
    beforeAll(async () => {
      admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'first-password'`);
      await admin.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`);
      dir = mkdtempSync(path.join(os.tmpdir(), 'cb-vault-'));
    });
    afterAll(async () => {
      await admin.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    });

    it('connects with the file, and picks up rotated credentials on reconnect', async () => {
      const file = path.join(dir, 'db-creds');
      writeFileSync(file, JSON.stringify({ username: role, password: 'first-password' }));
      const u = new URL(db.url);
      u.username = 'nobody';
      u.password = 'wrong';
      const config = loadDbConfig({ DATABASE_URL: u.toString(), DATABASE_CREDENTIALS_FILE: file });
      const prisma = await createDb(config);
      try {
        const who = await prisma.$queryRaw<{ current_user: string }[]>`SELECT current_user`;
        expect(who[0]?.current_user).toBe(role);
      } finally {
        await prisma.$disconnect();
      }

      // Rotate: the agent re-renders the file (key=value form this time); new connections use it.
      await admin.query(`ALTER ROLE ${role} PASSWORD 'second-password'`);
      writeFileSync(file, `username=${role}\npassword=second-password\n`);
      const pool = new pg.Pool(poolOptions(config));
      try {
        const { rows } = await pool.query('SELECT current_user');
        expect(rows[0].current_user).toBe(role);
      } finally {
        await pool.end();
      }
    });

    it('reports a file it cannot use', async () => {
      const file = path.join(dir, 'broken');
      writeFileSync(file, 'just some text');
      const config = loadDbConfig({ DATABASE_URL: db.url, DATABASE_CREDENTIALS_FILE: file });
      await expect(
        createDb({ ...config, connectRetry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } }),
      ).rejects.toThrow(/must hold a username and a password/);
    });
  });
});

describe('loadDbConfig', () => {
  it('requires DATABASE_URL and validates numbers', () => {
    expect(() => loadDbConfig({})).toThrow(/DATABASE_URL is not set/);
    expect(() => loadDbConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/not a postgresql/);
    expect(() => loadDbConfig({ DATABASE_URL: 'postgresql://h/db', DATABASE_POOL_MAX: '0' })).toThrow(
      /DATABASE_POOL_MAX must be a positive integer/,
    );
    expect(loadDbConfig({ DATABASE_URL: 'postgresql://h/db' })).toMatchObject({
      poolMax: 10,
      connectRetry: { maxAttempts: 8, initialDelayMs: 250, maxDelayMs: 5000 },
      session: { statementTimeoutMs: 5000, lockTimeoutMs: 3000, transactionTimeoutMs: 10000 },
    });
  });
});
