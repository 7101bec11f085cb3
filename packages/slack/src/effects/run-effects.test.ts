import { capturingLogger } from '@coffeebuddy/contracts/testing';
import { createDb, type Db, type Run, withTransaction } from '@coffeebuddy/db';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import type { SlackActions } from '../slack-actions';
import { RUN_EFFECTS, requestRunMessage, requestRunMessageUpdate, runEffectKinds } from './run-effects';
import { claimByIds } from './store';
import type { ClaimedEffect, RenderedCall } from './types';

/**
 * The run message's refresh against the run message's own post, on the real database. A run
 * message appears in Slack a moment before its ts is recorded; an order placed in that moment
 * asks for a refresh whose render can interleave with the recording. The interleavings are made
 * to happen at the render's reads (a Db whose `slackEffect.count` first lets "the other
 * deliverer" commit).
 */

const { logger } = capturingLogger('info');
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

let sequence = 0;
/** An open run without a message yet, its run_message effect pending and a refresh asked for. */
async function runWithRefresh(): Promise<{ run: Run; refresh: ClaimedEffect }> {
  sequence += 1;
  const channelId = `CRACE${sequence}`;
  const { run, refreshId } = await withTransaction(db, async (tx) => {
    await tx.channel.create({ data: { id: channelId, teamId: 'T0001' } });
    await tx.user.upsert({ where: { id: 'U0001' }, create: { id: 'U0001', teamId: 'T0001' }, update: {} });
    const created = await tx.run.create({
      data: {
        channelId,
        teamId: 'T0001',
        initiatorId: 'U0001',
        status: 'open',
        correlationId: `c-${sequence}`,
      },
    });
    await requestRunMessage(tx, created, { correlationId: created.correlationId });
    const id = await requestRunMessageUpdate(tx, created, {
      correlationId: created.correlationId,
      notify: { userId: 'U0002', channelId },
    });
    return { run: created, refreshId: id };
  });
  const [refresh] = await claimByIds(db, [refreshId], 'run-effects-test', 30_000);
  if (!refresh) throw new Error('could not claim the refresh');
  return { run, refresh };
}

/** What the run message's own deliverer commits once Slack took the post: the ts, and `sent`. */
async function postLanded(run: Run, ts: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    await tx.run.update({ where: { id: run.id }, data: { messageTs: ts } });
    await tx.slackEffect.updateMany({
      where: { runId: run.id, kind: RUN_EFFECTS.runMessage },
      data: { status: 'sent' },
    });
  });
}

/** `db`, except that its first `slackEffect.count` runs `before` first (the other deliverer's commit). */
function dbCommittingBeforeCount(before: () => Promise<void>): Db {
  let fired = false;
  return new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'slackEffect') return value;
      return new Proxy(value, {
        get(model, method, modelReceiver) {
          const inner = Reflect.get(model, method, modelReceiver);
          if (method !== 'count' || typeof inner !== 'function') return inner;
          return async (...args: unknown[]) => {
            if (!fired) {
              fired = true;
              await before();
            }
            return inner.apply(model, args);
          };
        },
      });
    },
  });
}

/** The kind's render; it reads the database only (Slack is called by the deliverer, later). */
function render(on: Db, effect: ClaimedEffect): Promise<RenderedCall> {
  const kind = runEffectKinds[RUN_EFFECTS.runMessageUpdate];
  if (!kind) throw new Error('no run_message_update kind');
  return kind.render({ db: on, slack: {} as SlackActions, logger }, effect);
}

describe('run_message_update while the run message is being posted', () => {
  it('updates the message whose ts was recorded between its two reads (the order is not lost)', async () => {
    const { run, refresh } = await runWithRefresh();
    const rendered = await render(
      dbCommittingBeforeCount(() => postLanded(run, '1700000000.000100')),
      refresh,
    );
    expect(rendered).toMatchObject({ call: 'update', channel: run.channelId, ts: '1700000000.000100' });
  });

  it('waits while the post is still under way', async () => {
    const { refresh } = await runWithRefresh();
    expect(await render(db, refresh)).toMatchObject({ defer: expect.any(Number) });
  });

  it('gives up when the post ended without a message (nothing to update)', async () => {
    const { run, refresh } = await runWithRefresh();
    await db.slackEffect.updateMany({
      where: { runId: run.id, kind: RUN_EFFECTS.runMessage },
      data: { status: 'failed' },
    });
    expect(await render(db, refresh)).toEqual({ skip: 'the run has no message' });
  });
});
