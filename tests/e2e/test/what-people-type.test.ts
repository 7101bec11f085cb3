import { randomUUID } from 'node:crypto';
import { createKafka, TOPICS } from '@coffeebuddy/contracts';
import { kafkaTestConfig, uniqueSlackId, waitFor } from '@coffeebuddy/contracts/testing';
import {
  checkMessage,
  createSlackDriver,
  type RecordedCall,
  type SlackDriver,
} from '@coffeebuddy/slack-emulator';
import pg from 'pg';
import pino from 'pino';
import { viewIdOpenedFor } from '../src/modals';
import { type Stack, startStack } from '../src/stack';

/**
 * What people type and what Slack shows, through the real processes: text as Slack sends it
 * (the driver escapes it as Slack does), every order listed however many there are, an order
 * submitted after the close refused in the modal, and bad requests answered 4xx.
 */

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

async function openRun(text: string, initiator = 'U0001') {
  const channelId = uniqueSlackId('C');
  stack.emulator.addChannel({ id: channelId, name: `typed-${channelId.toLowerCase()}` });
  const answer = await driver.slashCommand({ text, userId: initiator, channelId });
  const post = await stack.emulator.waitForCall(
    'chat.postMessage',
    (c) => c.args.channel === channelId,
    20_000,
  );
  const row = await waitFor(async () => {
    const { rows } = await db.query('SELECT * FROM runs WHERE channel_id = $1 AND message_ts IS NOT NULL', [
      channelId,
    ]);
    return rows[0];
  }, 'the run');
  return { run: { channelId, runId: row.id, ts: String(post.response.ts) } as OpenRun, row, answer, post };
}

const click = (run: OpenRun, actionId: string, userId: string) =>
  driver.blockAction({ actionId, value: run.runId, userId, channelId: run.channelId, messageTs: run.ts });

async function openModal(run: OpenRun, userId: string) {
  return viewIdOpenedFor(stack.emulator, await click(run, 'place_order', userId));
}

async function order(run: OpenRun, userId: string, text: string) {
  const viewId = await openModal(run, userId);
  return driver.viewSubmission({ userId, viewId, values: { order: { text } } });
}

const activeOrderCount = async (runId: string) =>
  (await db.query("SELECT count(*)::int AS n FROM orders WHERE run_id = $1 AND status = 'active'", [runId]))
    .rows[0].n;

/** Closes the run and returns the summary and DM messages, in the order they were posted. */
async function close(run: OpenRun, by = 'U0001') {
  const clicked = Date.now();
  await click(run, 'close_run', by);
  // The summary and the DM are separate effects, sent in either order: wait for both to be recorded
  // (each is recorded after Slack answered, so its calls are in the emulator's record by then).
  const closed = await waitFor(
    async () =>
      (
        await db.query(
          'SELECT * FROM runs WHERE id = $1 AND summary_ts IS NOT NULL AND runner_dm_ts IS NOT NULL',
          [run.runId],
        )
      ).rows[0],
    'the summary and the DM',
    60_000,
  );
  const posts = stack.emulator.callsTo('chat.postMessage').filter((c) => c.at >= clicked);
  const summary = posts.filter((c) => c.args.channel === run.channelId);
  const dm = posts.filter((c) => String(c.args.channel).startsWith('D') && c.response.ok);
  return { closed, summary, dm };
}

/**
 * Orders written straight into the database, in this order (one millisecond apart), all in the
 * past: an order placed right after through the modal comes after every one of them (seeded
 * stamps running into the future once sorted a modal order placed within them before the last).
 */
async function seedOrders(run: OpenRun, userIds: string[], texts: string[]) {
  await db.query(
    `INSERT INTO users (id, team_id) SELECT unnest($1::text[]), 'T0001' ON CONFLICT DO NOTHING`,
    [userIds],
  );
  await db.query(
    `INSERT INTO orders (id, run_id, user_id, text, created_at)
     SELECT gen_random_uuid(), $1, u.user_id, u.text,
            now() - interval '1 minute' + (u.i * interval '1 ms')
     FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(user_id, text, i)`,
    [run.runId, userIds, texts],
  );
}

const blocksText = (calls: RecordedCall[]) => calls.map((c) => JSON.stringify(c.args.blocks)).join('\n');

describe('text as people type it', () => {
  it('shows "M&S run <3" escaped exactly once everywhere, mentions as links, @here never pinging', async () => {
    const { run, row, answer, post } = await openRun('in 30m M&S run <3 with @grace @here');
    // What Slack sent, and what the gateway understood and said back.
    expect(answer.sent.payload.text).toBe('in 30m M&amp;S run &lt;3 with <@U0002|grace> <!here>');
    expect(answer.body).toEqual({
      response_type: 'ephemeral',
      text: expect.stringMatching(
        /^☕ Starting your coffee run — pickup in 30 min, at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>\.$/,
      ),
    });
    expect(row.note).toBe('M&S run <3 with @grace @here');
    expect(row.note_parts).toEqual([
      { type: 'text', text: 'M&S run <3 with ' },
      { type: 'user', userId: 'U0002', text: '@grace' },
      { type: 'text', text: ' @here' },
    ]);
    const shown = '📝 M&amp;S run &lt;3 with <@U0002> @here';
    expect(JSON.stringify(post.args.blocks)).toContain(shown);

    await order(run, 'U0003', 'tea & <biscuits>, <!channel>');
    await waitFor(async () => ((await activeOrderCount(run.runId)) === 1 ? true : undefined), 'the order');
    const { rows } = await db.query('SELECT text FROM orders WHERE run_id = $1', [run.runId]);
    expect(rows[0].text).toBe('tea & <biscuits>, <!channel>');
    const orderShown = '<@U0003>: tea &amp; &lt;biscuits&gt;, &lt;!channel&gt;';
    await waitFor(
      () =>
        JSON.stringify(
          stack.emulator.messagesIn(run.channelId).find((m) => m.ts === run.ts)?.blocks,
        ).includes(orderShown)
          ? true
          : undefined,
      'the updated run message',
    );

    const { summary, dm } = await close(run);
    for (const text of [blocksText(summary), blocksText(dm)]) {
      expect(text).toContain(shown);
      expect(text).toContain(`1. ${orderShown}`);
      expect(text).not.toContain('&amp;amp;');
      expect(text).not.toMatch(/<!(here|channel|everyone|subteam)/);
    }
  });

  it('keeps a user group from a note inert, as it arrives on the wire', async () => {
    const channelId = uniqueSlackId('C');
    stack.emulator.addChannel({ id: channelId, name: `typed-${channelId.toLowerCase()}` });
    await driver.slashCommand({
      sentText: 'in 20m <!subteam^S0614TZR7|@baristas> see <https://blue.door|Blue Door>',
      userId: 'U0001',
      channelId,
    });
    const post = await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === channelId,
      20_000,
    );
    expect(JSON.stringify(post.args.blocks)).toContain('📝 @baristas see <https://blue.door|Blue Door>');
  });

  it('answers the README quick-start example at any hour', async () => {
    const { answer } = await openRun('in 20m oat flat whites at Blue Door');
    expect((answer.body as { text: string }).text).toMatch(/^☕ Starting your coffee run — pickup in 20 min/);
  });

  it('reads a clock time on the person’s clock and says so in the confirmation', async () => {
    // U0002 (grace) is in America/New_York in the emulator's workspace.
    const inAnHour = new Date(Date.now() + 61 * 60_000);
    const clock = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(inAnHour);
    const { answer, row } = await openRun(`${clock} flat whites`, 'U0002');
    expect((answer.body as { text: string }).text).toMatch(
      new RegExp(
        `^☕ Starting your coffee run — pickup at ${clock} \\(America/New_York\\), in 1 h( 1 min)?\\.$`,
      ),
    );
    expect(Math.abs(row.pickup_at.getTime() - inAnHour.getTime())).toBeLessThan(60_000);
  });
});

describe('every order, however many', () => {
  it('lists all 20 orders of 250 characters in the run message, the summary and the runner’s DM', async () => {
    const { run } = await openRun('in 30m big order');
    const people = Array.from({ length: 20 }, (_, i) => `U7${String(i).padStart(4, '0')}`);
    for (const [i, id] of people.entries()) stack.emulator.addUser({ id, name: `drinker${i}` });
    const texts = people.map(
      (_, i) => `${i + 1}: ${'🧋'.repeat(10)}${'x'.repeat(250 - 14 - String(i + 1).length)}`,
    );
    // 19 seeded in the database (each modal round trip is already tested above), the 20th placed
    // through the modal: its run message update shows all 20.
    await seedOrders(run, people.slice(0, 19), texts.slice(0, 19));
    await order(run, people[19] as string, texts[19] as string);
    await waitFor(
      async () => ((await activeOrderCount(run.runId)) === 20 ? true : undefined),
      'all 20 orders',
      60_000,
    );
    await waitFor(
      () =>
        JSON.stringify(
          stack.emulator.messagesIn(run.channelId).find((m) => m.ts === run.ts)?.blocks,
        ).includes('*Orders:* 20 people')
          ? true
          : undefined,
      'the run message with 20 orders',
    );
    const message = stack.emulator.messagesIn(run.channelId).find((m) => m.ts === run.ts);
    for (const text of texts) expect(JSON.stringify(message?.blocks)).toContain(text);

    const { summary, dm } = await close(run);
    expect(summary.every((c) => c.response.ok)).toBe(true);
    expect(dm.every((c) => c.response.ok)).toBe(true);
    expect(String(dm[0]?.args.text)).toContain('20 drinks');
    for (const posted of [blocksText(summary), blocksText(dm)]) {
      texts.forEach((text, i) => {
        expect(posted).toContain(`${i + 1}. <@${people[i]}>: ${text}`);
      });
    }
  });

  it('spreads 500 long orders over several summary and DM messages, in order, each one Slack accepts', async () => {
    const { run } = await openRun('in 30m office party');
    // Seeded straight into the database (500 modal round trips would only slow the test down);
    // closing, rendering and posting go through the real services.
    const people = Array.from({ length: 500 }, (_, i) => `U8${String(i).padStart(4, '0')}`);
    for (const id of people) stack.emulator.addUser({ id, name: id.toLowerCase() });
    const texts = people.map((_, i) => `${i + 1}: ${'☕'.repeat(295 - String(i + 1).length)}`);
    await seedOrders(run, people, texts);
    const { summary, dm } = await close(run);
    expect(summary.length).toBeGreaterThan(1);
    expect(dm.length).toBeGreaterThan(1);
    for (const calls of [summary, dm]) {
      for (const call of calls) {
        expect(call.response.ok).toBe(true);
        expect(checkMessage({ text: call.args.text, blocks: call.args.blocks })).toEqual({ ok: true });
      }
      const posted = blocksText(calls);
      let at = -1;
      texts.forEach((text, i) => {
        const found = posted.indexOf(`${i + 1}. <@${people[i]}>: ${text}`);
        expect(found).toBeGreaterThan(at);
        at = found;
      });
    }
    expect(String(dm[0]?.args.text)).toContain('500 drinks');
    expect(JSON.stringify(dm.at(-1)?.args.blocks)).toContain('remind you');
    // The closed run message is one message: the orders that fit, and a line for the rest.
    const closedMessage = await waitFor(() => {
      const message = stack.emulator.messagesIn(run.channelId).find((m) => m.ts === run.ts);
      return JSON.stringify(message?.blocks).includes('(closed)') ? message : undefined;
    }, 'the closed run message');
    expect(JSON.stringify(closedMessage.blocks)).toMatch(
      /…and \d+ more orders not shown here — the summary lists every order\./,
    );
  });
});

describe('orders after the close', () => {
  it('refuses a modal submitted after the run closed, in the modal, and places nothing', async () => {
    const { run } = await openRun('in 30m');
    await order(run, 'U0002', 'flat white');
    await waitFor(
      async () => ((await activeOrderCount(run.runId)) === 1 ? true : undefined),
      'the first order',
    );
    const lateModal = await openModal(run, 'U0003');
    await close(run);
    const late = await driver.viewSubmission({
      userId: 'U0003',
      viewId: lateModal,
      values: { order: { text: 'tea' } },
    });
    expect(late.status).toBe(200);
    expect(late.body).toEqual({
      response_action: 'errors',
      errors: { order: 'This run closed before you submitted — your order was not placed.' },
    });
    expect(await activeOrderCount(run.runId)).toBe(1);
  });
});

describe('bad requests', () => {
  const orderCommandOffsets = async () => {
    const kafka = createKafka(kafkaTestConfig(), 'e2e-offsets', pino({ level: 'error' }));
    const admin = kafka.admin();
    await admin.connect();
    try {
      return JSON.stringify(await admin.fetchTopicOffsets(TOPICS.orderCommands));
    } finally {
      await admin.disconnect();
    }
  };
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', body, headers });

  it('answers an unsupported or missing Content-Type with 415, and logs no error', async () => {
    for (const path of ['/slack/commands', '/slack/interactions', '/slack/events']) {
      expect((await post(path, '<xml/>', { 'content-type': 'application/xml' })).status).toBe(415);
      const bare = await fetch(`${stack.gatewayUrl}${path}`, {
        method: 'POST',
        body: new Uint8Array([1, 2, 3]),
      });
      expect(bare.status).toBe(415);
    }
    expect(
      stack.services.find((s) => s.name === 'slack-gateway')?.logs.some((l) => Number(l.level) >= 50),
    ).toBe(false);
  });

  it.each([
    [
      'a value that is a number',
      { values: { order: { text: { type: 'plain_text_input', value: 42 as unknown as string } } } },
    ],
    [
      'a run ID that is not a UUID',
      { privateMetadata: JSON.stringify({ runId: 'not-a-uuid', channelId: 'C0001' }) },
    ],
  ])(
    'answers a signed view_submission with %s with 400, and nothing reaches a service',
    async (_name, input) => {
      const before = await orderCommandOffsets();
      const response = await driver.viewSubmission({
        userId: 'U0002',
        callbackId: 'order_modal',
        privateMetadata: JSON.stringify({ runId: randomUUID(), channelId: 'C0001' }),
        values: { order: { text: 'tea' } },
        ...input,
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'invalid_payload' });
      expect(await orderCommandOffsets()).toEqual(before);
      expect(stack.logsContaining('22P02')).toEqual([]);
    },
  );
});
