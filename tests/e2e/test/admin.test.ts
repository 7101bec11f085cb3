import { uniqueSlackId, waitFor } from '@coffeebuddy/contracts/testing';
import { createSlackDriver, type SlackDriver, type ViewStateValue } from '@coffeebuddy/slack-emulator';
import pg from 'pg';
import { viewIdOpenedFor, viewOpenedFor } from '../src/modals';
import { type Stack, startStack } from '../src/stack';

/**
 * Channel administration through the real processes: `/coffee admin` → admin-service's role
 * gate and modal, the gateway's field errors, saving with an audit row and `admin_config_changed`,
 * turning a channel off, the reset, and the App Home's personal settings feeding fairness.
 * Seeded people: U0001 Ada (owner), U0002 Grace (admin), U0003 Alan and U0004 Katherine.
 */

let stack: Stack;
let driver: SlackDriver;
let db: pg.Client;

beforeAll(async () => {
  // The retention sweep every second, so its test sees it run.
  stack = await startStack({ env: { 'admin-service': { RETENTION_INTERVAL_MS: '1000' } } });
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

const query = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;
const ensureUser = (id: string) =>
  query("INSERT INTO users (id, team_id) VALUES ($1, 'T0001') ON CONFLICT (id) DO NOTHING", [id]);

function newChannel(prefix = 'admin'): string {
  const id = uniqueSlackId('C');
  stack.emulator.addChannel({ id, name: `${prefix}-${id.toLowerCase()}` });
  return id;
}
const channelName = (id: string) => stack.emulator.state.channels.get(id)?.name ?? '';

/** `/coffee admin` as `userId`; resolves the admin modal's view ID once admin-service opened it. */
async function openAdmin(channelId: string, userId: string): Promise<string> {
  const answer = await driver.slashCommand({ text: 'admin', userId, channelId });
  expect(answer.status).toBe(200);
  const opened = await viewOpenedFor(stack.emulator, answer);
  expect(opened.response.ok).toBe(true);
  expect((opened.args.view as { callback_id?: string })?.callback_id).toBe('admin_settings');
  expect(JSON.stringify(opened.args.view)).toContain(channelId);
  return String((opened.response.view as { id: string }).id);
}

type Form = {
  flags?: string[];
  offset?: string;
  window?: string;
  retention?: string;
  admins?: string[];
  timezone?: string;
};
const FLAG_TEXT: Record<string, string> = {
  enabled: 'Coffee runs in this channel',
  reminders: 'Remind the runner before pickup',
  last_call: 'Post a last call in the channel before pickup',
};

function formValues(form: Form): Record<string, Record<string, string | ViewStateValue>> {
  const flags = form.flags ?? ['enabled', 'reminders'];
  return {
    switches: {
      flags: {
        type: 'checkboxes',
        selected_options: flags.map((value) => ({
          text: { type: 'plain_text', text: FLAG_TEXT[value] ?? value },
          value,
        })),
      },
    },
    reminder_offset: { minutes: form.offset ?? '5' },
    fairness_window: { days: form.window ?? '30' },
    retention: { days: form.retention ?? '90' },
    admins: { users: { type: 'multi_users_select', selected_users: form.admins ?? [] } },
    timezone: { zone: form.timezone ?? '' },
  };
}

const submit = (userId: string, viewId: string, form: Form) =>
  driver.viewSubmission({ userId, viewId, values: formValues(form) });

/** Submits a valid form and checks the gateway took it (200, no field errors: it was published). */
async function submitAccepted(userId: string, viewId: string, form: Form): Promise<void> {
  const answer = await submit(userId, viewId, form);
  expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: '' });
}

const adminActions = (channelId: string) =>
  query(
    'SELECT actor_id, action, before, after, summary FROM channel_admin_actions WHERE channel_id = $1 ORDER BY created_at',
    [channelId],
  );

/** The next answer the app sent through a response_url of `channelId` to `userId`. */
async function answerTo(channelId: string, userId: string, after: number) {
  try {
    return await stack.emulator.waitForResponse(
      (r) => r.at >= after && r.context.channelId === channelId && r.context.userId === userId,
      20_000,
    );
  } catch (error) {
    // What the services logged about the channel says where it stopped.
    const logs = stack.logsContaining(channelId).slice(-20);
    throw new Error(`${(error as Error).message}; logs about ${channelId}: ${JSON.stringify(logs)}`);
  }
}

async function startRun(channelId: string, userId = 'U0001', text = 'in 30m admin test run') {
  await driver.slashCommand({ text, userId, channelId });
  return waitFor(async () => {
    const rows = await query("SELECT id, message_ts FROM runs WHERE channel_id = $1 AND status = 'open'", [
      channelId,
    ]);
    return rows[0]?.message_ts ? (rows[0] as { id: string; message_ts: string }) : undefined;
  }, 'the run and its message');
}

async function placeOrder(
  channelId: string,
  run: { id: string; message_ts: string },
  userId: string,
  text: string,
) {
  const clicked = await driver.blockAction({
    actionId: 'place_order',
    value: run.id,
    userId,
    channelId,
    messageTs: run.message_ts,
  });
  await driver.viewSubmission({
    userId,
    viewId: await viewIdOpenedFor(stack.emulator, clicked),
    values: { order: { text } },
  });
  await waitFor(async () => {
    const rows = await query(
      "SELECT 1 FROM orders WHERE run_id = $1 AND user_id = $2 AND status = 'active'",
      [run.id, userId],
    );
    return rows.length > 0 || undefined;
  }, `${userId}'s order`);
}

describe('who may administer a channel', () => {
  it.each([
    ['the workspace owner', 'U0001'],
    ['a workspace admin', 'U0002'],
  ])('%s gets the settings modal, prefilled with the defaults', async (_who, userId) => {
    const channelId = newChannel();
    const viewId = await openAdmin(channelId, userId);
    const view = stack.emulator.state.views.get(viewId)?.view as unknown as {
      blocks: unknown[];
      private_metadata: string;
    };
    const blocks = JSON.stringify(view.blocks);
    expect(blocks).toContain('"initial_value":"5"');
    expect(blocks).toContain('"initial_value":"30"');
    expect(blocks).toContain('"initial_value":"90"');
    expect(JSON.parse(view.private_metadata)).toMatchObject({
      channelId,
      channelName: channelName(channelId),
    });
  });

  it('someone on the channel’s admin list gets it too', async () => {
    const channelId = newChannel();
    await query("INSERT INTO channels (id, team_id, admin_user_ids) VALUES ($1, 'T0001', '{U0004}')", [
      channelId,
    ]);
    await openAdmin(channelId, 'U0004');
  });

  it('anyone else is told who may, and nothing is written', async () => {
    const channelId = newChannel();
    const sent = Date.now();
    const answer = await driver.slashCommand({ text: 'admin', userId: 'U0003', channelId });
    expect(answer.status).toBe(200);
    const told = await answerTo(channelId, 'U0003', sent);
    expect(told.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(told.body.text)).toMatch(/Only workspace admins and owners, or the channel's admins/);
    expect(
      stack.emulator.callsTo('views.open').filter((c) => JSON.stringify(c.args).includes(channelId)),
    ).toEqual([]);
    expect(await query('SELECT id FROM channels WHERE id = $1', [channelId])).toEqual([]);
    expect(await adminActions(channelId)).toEqual([]);
  });
});

describe('the settings modal', () => {
  it.each([
    ['offset 0', { offset: '0' }, 'reminder_offset', /between 1 and 120 minutes/],
    ['offset 121', { offset: '121' }, 'reminder_offset', /between 1 and 120 minutes/],
    ['offset 7.5', { offset: '7.5' }, 'reminder_offset', /whole number/],
    ['window 0', { window: '0' }, 'fairness_window', /between 1 and 365 days/],
    ['window 366', { window: '366' }, 'fairness_window', /between 1 and 365 days/],
    ['retention 0', { retention: '0', window: '1' }, 'retention', /between 1 and 3,650 days/],
    ['retention 3,651', { retention: '3651' }, 'retention', /between 1 and 3,650 days/],
    [
      'retention shorter than the window',
      { retention: '20', window: '30' },
      'retention',
      /at least as long as the fairness window/,
    ],
    ['an unknown timezone', { timezone: 'Mars/Olympus' }, 'timezone', /not a timezone I know/],
    ['an empty offset', { offset: '' }, 'reminder_offset', /Enter a number/],
  ])('answers %s with a field error at once, and saves nothing', async (_name, form, block, message) => {
    const channelId = newChannel();
    const viewId = await openAdmin(channelId, 'U0001');
    const answer = await submit('U0001', viewId, form);
    expect(answer.status).toBe(200);
    const body = answer.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toEqual([block]);
    expect(body.errors[block]).toMatch(message);
    expect(await adminActions(channelId)).toEqual([]);
  });

  it.each([
    ['the lowest values', { offset: '1', window: '1', retention: '1' }],
    ['the highest values', { offset: '120', window: '365', retention: '3650' }],
  ])('takes %s', async (_name, form) => {
    const channelId = newChannel();
    const viewId = await openAdmin(channelId, 'U0002');
    const answer = await submit('U0002', viewId, form);
    expect([answer.status, answer.body]).toEqual([200, '']);
    const [row] = await waitFor(async () => {
      const rows = await query(
        'SELECT reminder_offset_minutes, fairness_window_days, data_retention_days FROM channels WHERE id = $1',
        [channelId],
      );
      return rows[0] ? rows : undefined;
    }, 'the saved settings');
    expect(row).toEqual({
      reminder_offset_minutes: Number(form.offset),
      fairness_window_days: Number(form.window),
      data_retention_days: Number(form.retention),
    });
  });

  it('saves a change: the row, an audit entry with the diff, admin_config_changed, and a confirmation', async () => {
    const channelId = newChannel();
    const viewId = await openAdmin(channelId, 'U0001');
    const sent = Date.now();
    await submit('U0001', viewId, {
      flags: ['enabled', 'reminders', 'last_call'],
      offset: '10',
      admins: ['U0004', 'U0003'],
      timezone: 'Europe/Berlin',
    });
    const told = await answerTo(channelId, 'U0001', sent);
    expect(String(told.body.text)).toBe(
      [
        `Saved CoffeeBuddy's settings for <#${channelId}>:`,
        '• Last call: off → on',
        '• Reminder offset: 5 minutes → 10 minutes',
        '• Channel admins: nobody → <@U0003>, <@U0004>',
        '• Channel timezone: UTC → Europe/Berlin',
      ].join('\n'),
    );
    expect(
      await query(
        'SELECT name, last_call_enabled, reminder_offset_minutes, admin_user_ids, timezone FROM channels WHERE id = $1',
        [channelId],
      ),
    ).toEqual([
      {
        name: channelName(channelId),
        last_call_enabled: true,
        reminder_offset_minutes: 10,
        admin_user_ids: ['U0003', 'U0004'],
        timezone: 'Europe/Berlin',
      },
    ]);
    expect(await adminActions(channelId)).toEqual([
      {
        actor_id: 'U0001',
        action: 'config_changed',
        before: { lastCallEnabled: false, reminderOffsetMinutes: 5, adminUserIds: [], timezone: null },
        after: {
          lastCallEnabled: true,
          reminderOffsetMinutes: 10,
          adminUserIds: ['U0003', 'U0004'],
          timezone: 'Europe/Berlin',
        },
        summary: null,
      },
    ]);
    const [event] = await waitFor(async () => {
      const rows = await query(
        "SELECT owner, published_at, message FROM outbox_events WHERE key = $1 AND topic = 'coffeebuddy.admin.events'",
        [channelId],
      );
      return rows[0]?.published_at ? rows : undefined;
    }, 'admin_config_changed to be published');
    expect(event.owner).toBe('admin-service');
    expect(JSON.stringify(event.message)).toContain('admin_config_changed');
    // The people on the list may administer the channel now.
    await openAdmin(channelId, 'U0003');
  });

  it("reads clock times in the channel's timezone when the person's cannot be checked", async () => {
    const channelId = newChannel('zone');
    const viewId = await openAdmin(channelId, 'U0001');
    const saved = Date.now();
    await submitAccepted('U0001', viewId, { timezone: 'America/New_York' });
    await answerTo(channelId, 'U0001', saved);
    const person = stack.emulator.addUser({ name: 'zoe', tz: 'Asia/Tokyo' });
    // Two hours from now on New York's clock, as a person there would type it.
    const inTwoHours = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(Date.now() + 2 * 3_600_000));
    stack.emulator.failNext('users.info', { error: 'internal_error', times: 10 });
    const answer = await driver.slashCommand({
      text: `${inTwoHours} zone test`,
      userId: person.id,
      channelId,
    });
    expect((answer.body as { text: string }).text).toContain(
      `pickup at ${inTwoHours} (America/New_York, this channel's timezone — I couldn't check yours), in `,
    );
    expect((answer.body as { text: string }).text).toMatch(/, in (2 h|1 h 59 min)\.$/);
    stack.emulator.clearFaults();
  });

  it('two admins editing at once keep each other’s changes', async () => {
    const channelId = newChannel();
    const grace = await openAdmin(channelId, 'U0002');
    const ada = await openAdmin(channelId, 'U0001');
    const first = Date.now();
    await submitAccepted('U0002', grace, { offset: '10' });
    await answerTo(channelId, 'U0002', first);
    const second = Date.now();
    await submitAccepted('U0001', ada, { flags: ['enabled', 'reminders', 'last_call'] });
    const told = await answerTo(channelId, 'U0001', second);
    expect(String(told.body.text)).toBe(
      `Saved CoffeeBuddy's settings for <#${channelId}>:\n• Last call: off → on`,
    );
    expect(
      await query('SELECT reminder_offset_minutes, last_call_enabled FROM channels WHERE id = $1', [
        channelId,
      ]),
    ).toEqual([{ reminder_offset_minutes: 10, last_call_enabled: true }]);
  });

  it('answers /coffee admin in a DM with the app with where to run it', async () => {
    const dm = stack.emulator.openIm('T0001', 'U0001').id;
    const answer = await driver.slashCommand({ text: 'admin', userId: 'U0001', channelId: dm });
    expect(String((answer.body as { text: string }).text)).toMatch(/settings are per channel/);
  });

  it('says so when nothing changed, and writes no audit entry', async () => {
    const channelId = newChannel();
    const viewId = await openAdmin(channelId, 'U0001');
    const sent = Date.now();
    await submitAccepted('U0001', viewId, {});
    const told = await answerTo(channelId, 'U0001', sent);
    expect(String(told.body.text)).toMatch(/^Nothing changed/);
    expect(await adminActions(channelId)).toEqual([]);
  });
});

describe('turning a channel off', () => {
  it('cancels its open run with a message, then answers /coffee with the notice and writes nothing', async () => {
    const channelId = newChannel();
    const run = await startRun(channelId);
    await placeOrder(channelId, run, 'U0003', 'tea with oat milk');
    const viewId = await openAdmin(channelId, 'U0001');
    await submit('U0001', viewId, { flags: ['reminders'] });
    await waitFor(async () => {
      const rows = await query('SELECT status FROM runs WHERE id = $1', [run.id]);
      return rows[0]?.status === 'cancelled' || undefined;
    }, 'the open run to be cancelled');
    const notice = await waitFor(
      () =>
        stack.emulator
          .messagesIn(channelId)
          .find((m) => String(m.text).includes('turned coffee runs off in this channel')),
      'the channel notice',
    );
    expect(notice.text).toContain('<@U0001>');
    await waitFor(() => {
      const message = stack.emulator.messagesIn(channelId).find((m) => m.ts === run.message_ts);
      const blocks = JSON.stringify(message?.blocks ?? []);
      return blocks.includes('(cancelled)') && !blocks.includes('place_order') ? blocks : undefined;
    }, 'the run message to show the run cancelled');
    // It still shows the orders people had placed.
    const cancelled = JSON.stringify(
      stack.emulator.messagesIn(channelId).find((m) => m.ts === run.message_ts),
    );
    expect(cancelled).toContain('*Orders:* 1 person');
    expect(cancelled).toContain('tea with oat milk');
    expect((await adminActions(channelId)).map((a) => a.action)).toEqual(['channel_disabled']);

    const runsBefore = await query('SELECT count(*)::int AS n FROM runs WHERE channel_id = $1', [channelId]);
    const answer = await driver.slashCommand({ text: 'in 20m again', userId: 'U0003', channelId });
    expect(JSON.stringify(answer.body)).toContain('Coffee runs are turned off in this channel');
    expect(await query('SELECT count(*)::int AS n FROM runs WHERE channel_id = $1', [channelId])).toEqual(
      runsBefore,
    );

    // /coffee admin still works in a channel that is off: it is how it is turned back on.
    const again = await openAdmin(channelId, 'U0001');
    await submit('U0001', again, { flags: ['enabled', 'reminders'] });
    await waitFor(async () => {
      const rows = await query('SELECT enabled FROM channels WHERE id = $1', [channelId]);
      return rows[0]?.enabled === true || undefined;
    }, 'the channel to be on again');
    await waitFor(
      () =>
        stack.emulator
          .messagesIn(channelId)
          .find((m) => String(m.text).includes('turned coffee runs back on in this channel')),
      'the channel to be told runs are back on',
    );
    expect((await adminActions(channelId)).map((a) => a.action)).toEqual([
      'channel_disabled',
      'channel_enabled',
    ]);
    await startRun(channelId);
  });
});

describe('resetting a channel', () => {
  async function history(channelId: string, users: string[]) {
    const run = await startRun(channelId, users[0]);
    for (const user of users) await placeOrder(channelId, run, user, `flat white for ${user}`);
    const closed = Date.now();
    await driver.blockAction({
      actionId: 'close_run',
      value: run.id,
      userId: users[0] ?? 'U0001',
      channelId,
      messageTs: run.message_ts,
    });
    await stack.emulator.waitForCall(
      'chat.postMessage',
      (c) => c.at >= closed && c.args.channel === channelId,
      20_000,
    );
    await waitFor(async () => {
      const rows = await query("SELECT 1 FROM runs WHERE id = $1 AND status = 'closed'", [run.id]);
      return rows.length > 0 || undefined;
    }, 'the close');
  }
  const counts = async (channelId: string) =>
    (
      await query(
        `SELECT (SELECT count(*) FROM runs WHERE channel_id = $1)::int AS runs,
                (SELECT count(*) FROM orders o JOIN runs r ON r.id = o.run_id WHERE r.channel_id = $1)::int AS orders,
                (SELECT count(*) FROM user_preferences WHERE channel_id = $1)::int AS preferences,
                (SELECT count(*) FROM runner_stats WHERE channel_id = $1)::int AS stats`,
        [channelId],
      )
    )[0];

  it('asks for the channel name, refuses a wrong one, then wipes only this channel and says what it removed', async () => {
    const channelId = newChannel('reset');
    const neighbour = newChannel('neighbour');
    await history(channelId, ['U0001', 'U0002', 'U0003']);
    await history(neighbour, ['U0001', 'U0002']);
    const neighbourBefore = await counts(neighbour);
    expect(await counts(channelId)).toEqual({ runs: 1, orders: 3, preferences: 3, stats: 1 });

    const settings = await openAdmin(channelId, 'U0002');
    const clicked = await driver.blockAction({ actionId: 'admin_reset', userId: 'U0002', viewId: settings });
    const pushed = await viewOpenedFor(stack.emulator, clicked, 'views.push');
    expect(pushed.response.ok).toBe(true);
    const confirmId = String((pushed.response.view as { id: string }).id);
    expect(JSON.stringify(pushed.args.view)).toContain('1 run, 3 orders, 3 saved orders and 1 runner record');

    const wrong = await driver.viewSubmission({
      userId: 'U0002',
      viewId: confirmId,
      values: { confirm: { channel_name: 'general' } },
    });
    expect(wrong.body).toEqual({
      response_action: 'errors',
      errors: {
        confirm: `That is not the channel's name — type ${channelName(channelId)} exactly to confirm.`,
      },
    });
    expect(await counts(channelId)).toEqual({ runs: 1, orders: 3, preferences: 3, stats: 1 });

    const sent = Date.now();
    const right = await driver.viewSubmission({
      userId: 'U0002',
      viewId: confirmId,
      values: { confirm: { channel_name: `#${channelName(channelId).toUpperCase()}` } },
    });
    expect(right.body).toEqual({ response_action: 'clear' });
    const told = await answerTo(channelId, 'U0002', sent);
    expect(String(told.body.text)).toBe(
      `Reset <#${channelId}>: removed 1 run, 3 orders, 3 saved orders and 1 runner record. The settings and the audit log are kept.`,
    );
    expect(await counts(channelId)).toEqual({ runs: 0, orders: 0, preferences: 0, stats: 0 });
    expect(await counts(neighbour)).toEqual(neighbourBefore);
    const [audit] = await adminActions(channelId);
    expect(audit).toMatchObject({
      actor_id: 'U0002',
      action: 'channel_reset',
      summary: { runs: 1, orders: 3, userPreferences: 3, runnerStats: 1 },
    });
  });
});

describe('personal settings in the App Home', () => {
  async function home(userId: string) {
    const before = Date.now();
    await driver.event({
      type: 'app_home_opened',
      user: userId,
      channel: stack.emulator.openIm('T0001', userId).id,
      tab: 'home',
    });
    const published = await stack.emulator.waitForCall(
      'views.publish',
      (c) => c.at >= before && c.args.user_id === userId && c.response.ok === true,
      20_000,
    );
    return String((published.response.view as { id: string }).id);
  }
  /**
   * The App Home published after `after` that shows what `shows` looks for. A publish asked for
   * again while one is in flight is sent again once that one lands (the last send shows the
   * latest state, DESIGN §9), so an earlier publish may come first.
   */
  const homeShowing = async (userId: string, after: number, shows: (view: string) => boolean) =>
    JSON.stringify(
      (
        await stack.emulator.waitForCall(
          'views.publish',
          (c) => c.at >= after && c.args.user_id === userId && shows(JSON.stringify(c.args.view)),
          20_000,
        )
      ).args.view,
    );

  it('away until a date: never picked as runner meanwhile, still ordering; the summary says why', async () => {
    const homeId = await home('U0002');
    const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const picked = Date.now();
    await driver.blockAction({
      actionId: 'home_away_until',
      userId: 'U0002',
      viewId: homeId,
      selectedDate: inTwoWeeks,
    });
    await homeShowing('U0002', picked, (v) => v.includes(`Away until ${inTwoWeeks}`));
    // A date that has passed changes nothing and says why.
    const past = Date.now();
    await driver.blockAction({
      actionId: 'home_away_until',
      userId: 'U0002',
      viewId: homeId,
      selectedDate: '2020-01-01',
    });
    await homeShowing('U0002', past, (v) => v.includes('2020-01-01 has passed'));
    expect(
      await query("SELECT to_char(away_until, 'YYYY-MM-DD') AS d FROM users WHERE id = 'U0002'"),
    ).toEqual([{ d: inTwoWeeks }]);

    // Grace (away, never served) and Alan (served before) order: Alan runs.
    const channelId = newChannel('away');
    await query("INSERT INTO channels (id, team_id) VALUES ($1, 'T0001')", [channelId]);
    await ensureUser('U0003');
    await query(
      "INSERT INTO runner_stats (channel_id, user_id, runs_served_count, last_run_at) VALUES ($1, 'U0003', 3, now() - interval '1 day')",
      [channelId],
    );
    const run = await startRun(channelId, 'U0003');
    await placeOrder(channelId, run, 'U0002', 'tea');
    await placeOrder(channelId, run, 'U0003', 'espresso');
    await driver.blockAction({
      actionId: 'close_run',
      value: run.id,
      userId: 'U0003',
      channelId,
      messageTs: run.message_ts,
    });
    const [closed] = await waitFor(async () => {
      const rows = await query(
        "SELECT runner_id, fairness_audit FROM runs WHERE id = $1 AND status = 'closed'",
        [run.id],
      );
      return rows[0] ? rows : undefined;
    }, 'the close');
    expect(closed.runner_id).toBe('U0003');
    expect(closed.fairness_audit.why).toMatch(/1 person who ordered is away, so not picked/);

    const back = Date.now();
    await driver.blockAction({ actionId: 'home_away_clear', userId: 'U0002', viewId: homeId });
    await homeShowing('U0002', back, (v) => v.includes('*Away?*') && !v.includes('*Away until'));
    expect(await query("SELECT away_until FROM users WHERE id = 'U0002'")).toEqual([{ away_until: null }]);
  });

  it('opting in to repeats in a channel: fairness picks the previous runner again', async () => {
    const channelId = newChannel('repeat');
    // Katherine ran last time; Alan served two runs before that, so without the opt-in Alan
    // would run (the previous runner sits out), with it Katherine (fewest in the window) does.
    await ensureUser('U0003');
    await query("INSERT INTO channels (id, team_id) VALUES ($1, 'T0001')", [channelId]);
    for (const daysAgo of [3, 2]) {
      await query(
        `INSERT INTO runs (channel_id, team_id, initiator_id, runner_id, status, closed_at, correlation_id)
         VALUES ($1, 'T0001', 'U0003', 'U0003', 'closed', now() - make_interval(days => $2), $3)`,
        [channelId, daysAgo, `seed-${daysAgo}`],
      );
    }
    const first = await startRun(channelId, 'U0004');
    await placeOrder(channelId, first, 'U0004', 'mocha');
    await driver.blockAction({
      actionId: 'close_run',
      value: first.id,
      userId: 'U0004',
      channelId,
      messageTs: first.message_ts,
    });
    await waitFor(async () => {
      const rows = await query("SELECT runner_id FROM runs WHERE id = $1 AND status = 'closed'", [first.id]);
      return rows[0]?.runner_id === 'U0004' || undefined;
    }, 'Katherine to run');

    const homeId = await home('U0004');
    const ticked = Date.now();
    await driver.blockAction({
      actionId: 'home_opt_in_repeat',
      blockId: `repeat:${channelId}`,
      userId: 'U0004',
      viewId: homeId,
      actionType: 'checkboxes',
      selectedOptions: [
        { text: { type: 'plain_text', text: 'Pick me again right after I serve' }, value: 'repeat' },
      ],
    });
    await homeShowing(
      'U0004',
      ticked,
      (v) => v.includes(`"block_id":"repeat:${channelId}"`) && v.includes('"initial_options"'),
    );
    expect(
      await query('SELECT opt_in_repeat FROM runner_stats WHERE channel_id = $1 AND user_id = $2', [
        channelId,
        'U0004',
      ]),
    ).toEqual([{ opt_in_repeat: true }]);

    const second = await startRun(channelId, 'U0003');
    await placeOrder(channelId, second, 'U0003', 'latte');
    await placeOrder(channelId, second, 'U0004', 'mocha');
    await driver.blockAction({
      actionId: 'close_run',
      value: second.id,
      userId: 'U0003',
      channelId,
      messageTs: second.message_ts,
    });
    const [closed] = await waitFor(async () => {
      const rows = await query(
        "SELECT runner_id, fairness_audit FROM runs WHERE id = $1 AND status = 'closed'",
        [second.id],
      );
      return rows[0] ? rows : undefined;
    }, 'the second close');
    expect(closed.runner_id).toBe('U0004');
    expect(closed.fairness_audit.why).toMatch(/ran last time too, and opted in to running again/);
  });
});

describe('the retention sweep', () => {
  it('runs in admin-service on its own: old runs go, recent ones stay, and it is counted', async () => {
    const channelId = newChannel('retention');
    await query(
      "INSERT INTO channels (id, team_id, data_retention_days, fairness_window_days) VALUES ($1, 'T0001', 7, 7)",
      [channelId],
    );
    await ensureUser('U0001');
    const insert = (daysAgo: number) =>
      query(
        `INSERT INTO runs (channel_id, team_id, initiator_id, status, closed_at, correlation_id)
         VALUES ($1, 'T0001', 'U0001', 'closed', now() - make_interval(days => $2), 'retention') RETURNING id`,
        [channelId, daysAgo],
      );
    const [old] = await insert(8);
    const [recent] = await insert(6);
    await waitFor(async () => {
      const rows = await query('SELECT id FROM runs WHERE id = $1', [old.id]);
      return rows.length === 0 || undefined;
    }, 'the sweep to delete the old run');
    expect(await query('SELECT id FROM runs WHERE id = $1', [recent.id])).toEqual([recent]);
    const admin = stack.services.find((s) => s.name === 'admin-service');
    const metrics = await (await fetch(`${admin?.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/coffeebuddy_retention_deleted_total\{table="runs"[^}]*\} [1-9]/);
    expect(stack.logsContaining('retention sweep done').length).toBeGreaterThan(0);
  });
});
