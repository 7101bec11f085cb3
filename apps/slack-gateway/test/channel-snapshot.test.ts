// The gateway's in-memory copy of the channels turned off and their timezones, on a real database.
import { capturingLogger, uniqueSlackId, waitFor } from '@coffeebuddy/contracts/testing';
import { createDb, type Db } from '@coffeebuddy/db';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import { type ChannelSnapshot, channelSnapshot } from '../src/lookups';

const { logger } = capturingLogger('warn');
let database: TestDatabase;
let db: Db;
let snapshot: ChannelSnapshot;
let queries = 0;

beforeAll(async () => {
  database = await createTestDatabase({ migrated: true });
  db = await createDb(database.config);
  snapshot = channelSnapshot(db, { refreshMs: 50, logger });
});

afterAll(async () => {
  await snapshot?.stop();
  await db?.$disconnect();
  await database?.drop();
});

describe('the channel snapshot', () => {
  it('knows a channel turned off or given a timezone before it starts answering', async () => {
    const off = uniqueSlackId('C');
    const zoned = uniqueSlackId('C');
    await db.channel.create({ data: { id: off, teamId: 'T0001', enabled: false } });
    await db.channel.create({ data: { id: zoned, teamId: 'T0001', timezone: 'Asia/Tokyo' } });
    await snapshot.start();
    expect(await snapshot.channelEnabled(off)).toBe(false);
    expect(await snapshot.channelEnabled(zoned)).toBe(true);
    expect(await snapshot.channelEnabled(uniqueSlackId('C'))).toBe(true);
    expect(await snapshot.channelZone(zoned)).toBe('Asia/Tokyo');
    expect(await snapshot.channelZone(off)).toBeNull();
  });

  it('follows changes within its refresh interval, both ways', async () => {
    const channelId = uniqueSlackId('C');
    await db.channel.create({ data: { id: channelId, teamId: 'T0001' } });
    expect(await snapshot.channelEnabled(channelId)).toBe(true);
    await db.channel.update({ where: { id: channelId }, data: { enabled: false, timezone: 'Europe/Paris' } });
    await waitFor(async () => (await snapshot.channelEnabled(channelId)) === false, 'the channel to be off');
    expect(await snapshot.channelZone(channelId)).toBe('Europe/Paris');
    await db.channel.update({ where: { id: channelId }, data: { enabled: true, timezone: null } });
    await waitFor(async () => (await snapshot.channelEnabled(channelId)) === true, 'the channel to be on');
    expect(await snapshot.channelZone(channelId)).toBeNull();
  });

  it('asks the database for a channel changed through this gateway, until changedMs has passed', async () => {
    let clock = 0;
    const slow = channelSnapshot(db, { refreshMs: 60_000, changedMs: 1_000, logger, now: () => clock });
    const channelId = uniqueSlackId('C');
    await slow.start();
    await db.channel.create({
      data: { id: channelId, teamId: 'T0001', enabled: false, timezone: 'Asia/Seoul' },
    });
    // The copy was read before the change.
    expect(await slow.channelEnabled(channelId)).toBe(true);
    slow.channelChanged(channelId);
    expect(await slow.channelEnabled(channelId)).toBe(false);
    expect(await slow.channelZone(channelId)).toBe('Asia/Seoul');
    clock = 1_001;
    expect(await slow.channelEnabled(channelId)).toBe(true);
    await slow.stop();
  });

  it('asks the database per request once its copy is older than maxStaleMs', async () => {
    let clock = 0;
    const counting = new Proxy(db, {
      get(target, property) {
        if (property === 'channel') {
          const channel = target.channel;
          return new Proxy(channel, {
            get(inner, name) {
              if (name === 'findUnique') queries++;
              return Reflect.get(inner, name);
            },
          });
        }
        return Reflect.get(target, property);
      },
    });
    const stale = channelSnapshot(counting, {
      refreshMs: 60_000,
      maxStaleMs: 1_000,
      logger,
      now: () => clock,
    });
    const channelId = uniqueSlackId('C');
    await stale.start();
    await db.channel.create({ data: { id: channelId, teamId: 'T0001', enabled: false } });
    // Fresh: the copy (taken before the channel was turned off) answers, no query.
    expect(await stale.channelEnabled(channelId)).toBe(true);
    expect(queries).toBe(0);
    clock = 1_001;
    expect(await stale.channelEnabled(channelId)).toBe(false);
    expect(queries).toBe(1);
    await stale.stop();
  });
});
