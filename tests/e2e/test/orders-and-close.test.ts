import { uniqueSlackId, waitFor } from '@coffeebuddy/contracts/testing';
import { createSlackDriver, type SlackDriver } from '@coffeebuddy/slack-emulator';
import pg from 'pg';
import { viewIdOpenedFor, viewOpenedFor } from '../src/modals';
import { type Stack, startStack } from '../src/stack';

/** From "Place order" to the summary and the runner's DM, through the real processes. */

let stack: Stack;
let driver: SlackDriver;
let db: pg.Client;

beforeAll(async () => {
  stack = await startStack();
  driver = createSlackDriver({
    gatewayUrl: stack.gatewayUrl,
    signingSecret: stack.signingSecret,
    emulator: stack.emulator,
  });
  db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

interface OpenRun {
  channelId: string;
  runId: string;
  ts: string;
}

async function openRun(initiator = 'U0001', text = 'in 30m oat flat whites'): Promise<OpenRun> {
  const channelId = uniqueSlackId('C');
  stack.emulator.addChannel({ id: channelId, name: `orders-${channelId.toLowerCase()}` });
  await driver.slashCommand({ text, userId: initiator, channelId });
  const post = await stack.emulator.waitForCall(
    'chat.postMessage',
    (c) => c.args.channel === channelId,
    20_000,
  );
  const run = await waitFor(async () => {
    const { rows } = await db.query('SELECT id FROM runs WHERE channel_id = $1 AND message_ts IS NOT NULL', [
      channelId,
    ]);
    return rows[0];
  }, 'the run');
  return { channelId, runId: run.id, ts: String(post.response.ts) };
}

const click = (run: OpenRun, actionId: string, userId: string) =>
  driver.blockAction({ actionId, value: run.runId, userId, channelId: run.channelId, messageTs: run.ts });

async function order(run: OpenRun, userId: string, text: string) {
  const clicked = Date.now();
  const opened = await viewOpenedFor(stack.emulator, await click(run, 'place_order', userId));
  expect(opened.response.ok).toBe(true);
  const viewId = String((opened.response.view as { id: string }).id);
  const submitted = await driver.viewSubmission({ userId, viewId, values: { order: { text } } });
  return { opened, submitted, openLatencyMs: opened.at - clicked };
}

async function activeOrders(runId: string) {
  const { rows } = await db.query(
    "SELECT user_id, text, provenance FROM orders WHERE run_id = $1 AND status = 'active' ORDER BY user_id",
    [runId],
  );
  return rows;
}

async function processedOrderCommands(): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM processed_messages WHERE topic LIKE $1', [
    '%order.commands',
  ]);
  return rows[0].n;
}

const latestRunMessage = (run: OpenRun) =>
  stack.emulator.messagesIn(run.channelId).find((m) => m.ts === run.ts) as { blocks: unknown[] } | undefined;

describe('orders', () => {
  it('opens the modal from "Place order", validates it in the gateway, places the order and updates the message', async () => {
    const run = await openRun();
    const { opened, submitted, openLatencyMs } = await order(run, 'U0002', '  large oat flat white  ');
    expect(openLatencyMs).toBeLessThan(3_000);
    expect(JSON.stringify(opened.args.view)).toContain('"max_length":300');
    expect(submitted.status).toBe(200);
    await waitFor(async () => ((await activeOrders(run.runId)).length === 1 ? true : undefined), 'the order');
    expect(await activeOrders(run.runId)).toEqual([
      { user_id: 'U0002', text: 'large oat flat white', provenance: 'typed' },
    ]);
    const pref = await db.query(
      'SELECT last_order_text FROM user_preferences WHERE user_id = $1 AND channel_id = $2',
      ['U0002', run.channelId],
    );
    expect(pref.rows[0].last_order_text).toBe('large oat flat white');
    await waitFor(
      () => (JSON.stringify(latestRunMessage(run)?.blocks).includes('*Orders:* 1 person') ? true : undefined),
      'the message update',
    );
    expect(JSON.stringify(latestRunMessage(run)?.blocks)).toContain('<@U0002>: large oat flat white');
  });

  it.each([
    ['empty', '', 'Please say what you would like.'],
    ['blank', '   ', 'Please say what you would like.'],
    ['301 characters', 'x'.repeat(301), 'Keep it under 300 characters'],
  ])('refuses %s modal text with a field error and writes nothing', async (_label, text, error) => {
    const run = await openRun();
    const viewId = await viewIdOpenedFor(stack.emulator, await click(run, 'place_order', 'U0003'));
    const submitted = await driver.viewSubmission({ userId: 'U0003', viewId, values: { order: { text } } });
    expect(submitted.body).toEqual({
      response_action: 'errors',
      errors: { order: expect.stringContaining(error) },
    });
    expect(await activeOrders(run.runId)).toEqual([]);
  });

  it('edits by prefilling the modal, cancels from the message, and never holds two active orders', async () => {
    const run = await openRun();
    await order(run, 'U0002', 'flat white');
    await waitFor(
      async () => ((await activeOrders(run.runId)).length === 1 ? true : undefined),
      'the first order',
    );
    const edit = await order(run, 'U0002', 'cortado');
    expect(JSON.stringify(edit.opened.args.view)).toContain('"initial_value":"flat white"');
    await waitFor(
      async () => ((await activeOrders(run.runId))[0]?.text === 'cortado' ? true : undefined),
      'the edit',
    );
    expect(await activeOrders(run.runId)).toHaveLength(1);

    await click(run, 'cancel_order', 'U0002');
    await waitFor(
      async () => ((await activeOrders(run.runId)).length === 0 ? true : undefined),
      'the cancel',
    );
    await waitFor(
      () => (JSON.stringify(latestRunMessage(run)?.blocks).includes('*Orders:* 0 people') ? true : undefined),
      'the message',
    );
    const { rows } = await db.query('SELECT status FROM orders WHERE run_id = $1', [run.runId]);
    expect(rows.map((r) => r.status)).toEqual(['cancelled']);
  });

  it('keeps one active order when one person submits 20 times at once', async () => {
    const run = await openRun();
    // One modal, submitted 20 times concurrently (double clicks, Slack retries).
    const viewId = await viewIdOpenedFor(stack.emulator, await click(run, 'place_order', 'U0004'));
    const baseline = await processedOrderCommands();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        driver.viewSubmission({ userId: 'U0004', viewId, values: { order: { text: `espresso #${i}` } } }),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await waitFor(
      async () => ((await processedOrderCommands()) >= baseline + 20 ? true : undefined),
      'all 20 submissions processed',
    );
    const { rows } = await db.query(
      "SELECT count(*)::int AS n FROM orders WHERE run_id = $1 AND user_id = 'U0004' AND status = 'active'",
      [run.runId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('reuses the last order in one click, and explains when there is none', async () => {
    const first = await openRun();
    await order(first, 'U0003', 'chai latte');
    await waitFor(
      async () => ((await activeOrders(first.runId)).length === 1 ? true : undefined),
      'the first order',
    );
    await click(first, 'close_run', 'U0001');
    await stack.emulator.waitForCall('conversations.open', () => true, 20_000);

    // Same channel, new run: the preference is per channel.
    await driver.slashCommand({ text: '', userId: 'U0001', channelId: first.channelId });
    const post = await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === first.channelId &&
        String(c.args.text).includes('Coffee run by') &&
        String(c.response.ts) !== first.ts,
      20_000,
    );
    const second = { channelId: first.channelId, ts: String(post.response.ts), runId: '' };
    second.runId = (
      await waitFor(async () => {
        const { rows } = await db.query("SELECT id FROM runs WHERE channel_id = $1 AND status = 'open'", [
          first.channelId,
        ]);
        return rows[0];
      }, 'the second run')
    ).id;
    await click(second, 'use_last_order', 'U0003');
    await waitFor(
      async () => ((await activeOrders(second.runId)).length === 1 ? true : undefined),
      'the reused order',
    );
    expect(await activeOrders(second.runId)).toEqual([
      { user_id: 'U0003', text: 'chai latte', provenance: 'reused_last_order' },
    ]);

    // Someone with no order history in the channel.
    await click(second, 'use_last_order', 'U0004');
    const answer = await stack.emulator.waitForResponse(
      (r) =>
        r.context.channelId === first.channelId && String(r.body.text).includes('no last order to reuse'),
      20_000,
    );
    expect(answer.body.response_type).toBe('ephemeral');
    expect(await activeOrders(second.runId)).toHaveLength(1);
  });
});

describe('App Home', () => {
  it('shows the last order per channel and runs served', async () => {
    const run = await openRun();
    await order(run, 'U0004', 'double espresso');
    await waitFor(async () => ((await activeOrders(run.runId)).length === 1 ? true : undefined), 'the order');
    await driver.event({ type: 'app_home_opened', user: 'U0004', channel: 'D0004HOME', tab: 'home' });
    const home = await stack.emulator.waitForCall('views.publish', (c) => c.args.user_id === 'U0004', 20_000);
    const text = JSON.stringify(home.args.view);
    expect(text).toContain(`<#${run.channelId}>: 0 runs served · last order: double espresso`);
  });
});

describe('closing a run', () => {
  it('refuses a close by someone who is neither the initiator nor an admin', async () => {
    const run = await openRun('U0002');
    await click(run, 'close_run', 'U0003');
    const answer = await stack.emulator.waitForResponse(
      (r) => r.context.channelId === run.channelId && String(r.body.text).includes('can close it'),
      20_000,
    );
    expect(answer.body.text).toContain('<@U0002>');
    const { rows } = await db.query('SELECT status FROM runs WHERE id = $1', [run.runId]);
    expect(rows[0].status).toBe('open');
  });

  it('lets a workspace admin close someone else’s run (users.info is_admin)', async () => {
    const run = await openRun('U0002');
    await click(run, 'close_run', 'U0001'); // U0001 is an admin in the emulator's workspace
    await waitFor(async () => {
      const { rows } = await db.query("SELECT closed_by_id FROM runs WHERE id = $1 AND status = 'closed'", [
        run.runId,
      ]);
      return rows[0];
    }, 'the close');
    expect(stack.emulator.callsTo('users.info').some((c) => c.args.user === 'U0001')).toBe(true);
  });

  it('lets someone on the channel’s configured admin list close someone else’s run', async () => {
    const run = await openRun('U0002');
    await db.query("UPDATE channels SET admin_user_ids = ARRAY['U0003'] WHERE id = $1", [run.channelId]);
    await click(run, 'close_run', 'U0003'); // not a workspace admin; refused in the test above
    const closed = await waitFor(async () => {
      const { rows } = await db.query("SELECT closed_by_id FROM runs WHERE id = $1 AND status = 'closed'", [
        run.runId,
      ]);
      return rows[0];
    }, 'the close');
    expect(closed.closed_by_id).toBe('U0003');
  });

  it('closes with a fair runner, a summary and a DM that agree, and refuses orders afterwards', async () => {
    const run = await openRun('U0001', 'in 30m the usual place');
    await order(run, 'U0002', 'flat white');
    await order(run, 'U0003', 'tea');
    await waitFor(
      async () => ((await activeOrders(run.runId)).length === 2 ? true : undefined),
      'both orders',
    );
    const clicked = Date.now();
    await click(run, 'close_run', 'U0001');

    const summary = await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === run.channelId && String(c.args.text).includes('Coffee run closed'),
      20_000,
    );
    const dm = await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) => String(c.args.text).includes('coffee duty') && c.at >= clicked,
      20_000,
    );
    const closed = await waitFor(async () => {
      const { rows } = await db.query('SELECT * FROM runs WHERE id = $1 AND runner_dm_ts IS NOT NULL', [
        run.runId,
      ]);
      return rows[0];
    }, 'the closed run');
    expect(closed.status).toBe('closed');
    expect(['U0002', 'U0003']).toContain(closed.runner_id);
    expect(closed.fairness_audit.candidates.map((c: { userId: string }) => c.userId)).toEqual([
      'U0002',
      'U0003',
    ]);
    expect(closed.order_snapshot).toEqual([
      { userId: 'U0002', text: 'flat white', provenance: 'typed' },
      { userId: 'U0003', text: 'tea', provenance: 'typed' },
    ]);

    const summaryText = JSON.stringify(summary.args.blocks);
    const dmText = JSON.stringify(dm.args.blocks);
    for (const text of [summaryText, dmText]) {
      expect(text).toContain('1. <@U0002>: flat white');
      expect(text).toContain('2. <@U0003>: tea');
      expect(text).toContain('the usual place');
      expect(text).toContain(closed.fairness_audit.why);
    }
    expect(summaryText).toContain(`*Runner:* <@${closed.runner_id}>`);
    expect(dmText).toContain('*Drinks:* 2');
    expect(dmText).toContain("I'll remind you 5 min before pickup.");
    const dmChannel = String(dm.args.channel);
    expect(
      stack.emulator
        .callsTo('conversations.open')
        .some((c) => c.args.users === closed.runner_id && c.response.channel),
    ).toBe(true);
    expect(dmChannel.startsWith('D')).toBe(true);
    const stats = await db.query(
      'SELECT runs_served_count FROM runner_stats WHERE channel_id = $1 AND user_id = $2',
      [run.channelId, closed.runner_id],
    );
    expect(stats.rows[0].runs_served_count).toBe(1);
    await waitFor(
      () => (JSON.stringify(latestRunMessage(run)?.blocks).includes('(closed)') ? true : undefined),
      'the closed message',
    );
    expect(JSON.stringify(latestRunMessage(run)?.blocks)).not.toContain('place_order');

    await click(run, 'use_last_order', 'U0002');
    const refused = await stack.emulator.waitForResponse(
      (r) =>
        r.context.channelId === run.channelId && String(r.body.text).includes('closed — ordering has ended'),
      20_000,
    );
    expect(refused).toBeDefined();
    expect(await activeOrders(run.runId)).toHaveLength(2);
  });

  it('posts a summary Slack refused at close time later, once', async () => {
    const run = await openRun();
    await order(run, 'U0002', 'americano');
    await waitFor(async () => ((await activeOrders(run.runId)).length === 1 ? true : undefined), 'the order');
    stack.emulator.failNext('chat.postMessage', { error: 'fatal_error', times: 5 });
    await click(run, 'close_run', 'U0001');
    const summary = await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === run.channelId &&
        String(c.args.text).includes('Coffee run closed') &&
        c.response.ok === true,
      30_000,
    );
    expect(summary).toBeDefined();
    await waitFor(
      async () => {
        const { rows } = await db.query('SELECT runner_dm_ts FROM runs WHERE id = $1', [run.runId]);
        return rows[0]?.runner_dm_ts ?? undefined;
      },
      'the runner DM',
      30_000,
    );
    const posted = stack.emulator
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.args.channel === run.channelId &&
          String(c.args.text).includes('Coffee run closed') &&
          c.response.ok,
      );
    expect(posted).toHaveLength(1);
  });

  it('closes a run nobody ordered in without a runner, and says so', async () => {
    const run = await openRun();
    await click(run, 'close_run', 'U0001');
    const summary = await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === run.channelId && String(c.args.text).includes('nobody ordered'),
      20_000,
    );
    expect(summary.response.ok).toBe(true);
    const { rows } = await db.query('SELECT status, runner_id FROM runs WHERE id = $1', [run.runId]);
    expect(rows[0]).toEqual({ status: 'closed', runner_id: null });
  });

  it('settles a close racing an order in the database: the order is in the snapshot or refused', async () => {
    const run = await openRun();
    await order(run, 'U0002', 'mocha');
    await waitFor(
      async () => ((await activeOrders(run.runId)).length === 1 ? true : undefined),
      'the first order',
    );
    const viewId = await viewIdOpenedFor(stack.emulator, await click(run, 'place_order', 'U0003'));
    const baseline = await processedOrderCommands();
    await Promise.all([
      driver.viewSubmission({ userId: 'U0003', viewId, values: { order: { text: 'racing latte' } } }),
      click(run, 'close_run', 'U0001'),
    ]);
    const closed = await waitFor(async () => {
      const { rows } = await db.query("SELECT order_snapshot FROM runs WHERE id = $1 AND status = 'closed'", [
        run.runId,
      ]);
      return rows[0];
    }, 'the close');
    // The racing order is handled either way (placed before the close, or refused after it).
    await waitFor(
      async () => ((await processedOrderCommands()) >= baseline + 1 ? true : undefined),
      'the racing order',
    );
    const active = (await activeOrders(run.runId)).map((o) => o.user_id).sort();
    const snapshot = (closed.order_snapshot as { userId: string }[]).map((o) => o.userId).sort();
    expect(active).toEqual(snapshot);
  });
});
