import { randomUUID } from 'node:crypto';
import { createDb, type Db, settleCommandFate, withTransaction } from '../src';
import { createTestDatabase, type TestDatabase } from '../src/testing';

/** settleCommandFate on the real database: the first writer decides, the second learns it. */

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase({ migrated: true });
  db = await createDb(database.config);
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe('settleCommandFate', () => {
  it('keeps the first fate written: an abandoned command stays abandoned, a taken one taken', async () => {
    const abandoned = randomUUID();
    expect(await settleCommandFate(db, abandoned, 'abandoned')).toBe('abandoned');
    expect(await settleCommandFate(db, abandoned, 'taken')).toBe('abandoned');
    const taken = randomUUID();
    expect(await settleCommandFate(db, taken, 'taken')).toBe('taken');
    expect(await settleCommandFate(db, taken, 'abandoned')).toBe('taken');
  });

  it('makes the gateway wait for a consumer that is handling the command, and tells it "taken"', async () => {
    const id = randomUUID();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let claimed: () => void = () => undefined;
    const inserted = new Promise<void>((resolve) => {
      claimed = resolve;
    });
    const consumer = withTransaction(db, async (tx) => {
      const fate = await settleCommandFate(tx, id, 'taken');
      claimed();
      await held;
      return fate;
    });
    await inserted;
    const gateway = settleCommandFate(db, id, 'abandoned');
    release();
    expect(await consumer).toBe('taken');
    expect(await gateway).toBe('taken');
  });

  it('gives the command to the gateway when the consumer rolled back', async () => {
    const id = randomUUID();
    await expect(
      withTransaction(db, async (tx) => {
        await settleCommandFate(tx, id, 'taken');
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await settleCommandFate(db, id, 'abandoned')).toBe('abandoned');
  });
});
