import { uniqueSlackId } from '@coffeebuddy/contracts/testing';
import type { SlackDriver } from '@coffeebuddy/slack-emulator';
import type { Admin } from 'kafkajs';
import type pg from 'pg';
import type { ServiceProcess, Stack } from '../src/stack';

/** What every scenario gets: one stack of real processes, shared and used one scenario at a time. */
export interface FaultContext {
  stack: Stack;
  driver: SlackDriver;
  db: pg.Pool;
  admin: Admin;
  /** Longer runs, more load (`--soak`). */
  soak: boolean;
  repoRoot: string;
  log(message: string): void;
}

/** One line of the final table: a figure and, when it is a promise, whether it was kept. */
export interface Figure {
  scenario: string;
  figure: string;
  value: string | number;
  /** The promise (`= 0`, `≤ 64 MiB`); absent for figures that are only reported. */
  required?: string;
  ok: boolean;
}

export type Scenario = (context: FaultContext) => Promise<Figure[]>;

/** Whether a service process still runs (one killed by a signal has no exit code either). */
export const alive = (service: ServiceProcess) =>
  service.child.exitCode === null && service.child.signalCode === null;

export const figure = (
  scenario: string,
  name: string,
  value: string | number,
  required?: string,
  ok = true,
): Figure => ({ scenario, figure: name, value, ...(required ? { required } : {}), ok });

/** `= 0` figures: kept when the count is zero. */
export const zero = (scenario: string, name: string, count: number): Figure =>
  figure(scenario, name, count, '= 0', count === 0);

/** Nearest-rank percentile of `values` (ms), or NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Prints the figures as one table (plain text, fixed width). */
export function formatTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.scenario,
    f.figure,
    String(f.value),
    f.required ?? '',
    f.ok ? 'ok' : 'FAILED',
  ]);
  const header = ['scenario', 'figure', 'value', 'required', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Polls `probe` every 100 ms until it returns something (not undefined/false), like
 * `waitFor`, but a probe that throws (the database restarting) counts as "not yet".
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A pause of a fault schedule (how often to kill, the steady rate of commands); never a wait for a result. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A run a scenario made: its channel, its ID, who ordered. */
export interface WholeRun {
  channelId: string;
  runId: string;
  orderers: string[];
}

const ORDERERS = ['U0002', 'U0003'];
/** A pickup within the reminder offset: the runner's reminder is due at the close, so it is sent then. */
const RUN_TEXT = 'in 5m faults';

export function newChannel(context: FaultContext, label: string): string {
  const id = uniqueSlackId('C');
  context.stack.emulator.addChannel({ id, name: `${label}-${id.toLowerCase()}` });
  return id;
}

async function runWithMessage(context: FaultContext, channelId: string, timeoutMs: number) {
  return waitFor(
    async () => {
      const { rows } = await context.db.query(
        'SELECT id, message_ts FROM runs WHERE channel_id = $1 AND message_ts IS NOT NULL',
        [channelId],
      );
      return rows[0] as { id: string; message_ts: string } | undefined;
    },
    `the run message in ${channelId}`,
    timeoutMs,
  );
}

/**
 * One person orders the way people do: click "Place order"; when no modal opens (the click's
 * trigger expired while a service was down, Slack failed), click again, up to `attempts` times;
 * then submit the modal.
 */
async function placeOrder(
  context: FaultContext,
  run: { channelId: string; runId: string; ts: string },
  userId: string,
  attempts = 12,
): Promise<void> {
  const { driver, stack } = context;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const clicked = Date.now();
    const click = await driver.blockAction({
      actionId: 'place_order',
      value: run.runId,
      userId,
      channelId: run.channelId,
      messageTs: run.ts,
    });
    if (click.status !== 200) continue;
    const opened = await stack.emulator
      .waitForCall(
        'views.open',
        (c) => c.at >= clicked && c.response.ok === true && JSON.stringify(c.args.view).includes(run.runId),
        8_000,
      )
      .catch(() => undefined);
    if (!opened) continue;
    const viewId = String((opened.response.view as { id: string }).id);
    const submitted = await driver.viewSubmission({
      userId,
      viewId,
      values: { order: { text: `${userId} flat white` } },
    });
    if (submitted.status === 200 && !JSON.stringify(submitted.body ?? '').includes('"errors"')) return;
  }
  throw new Error(`${userId} could not order in ${run.channelId} after ${attempts} tries`);
}

/**
 * A whole coffee run as people make it: `/coffee in 5m` by U0001, an order each from U0002 and
 * U0003 through the modal, the close by U0001. Waits (never sleeps) for each step's result;
 * `timeoutMs` bounds each wait (services may be down for a while in between).
 */
export async function wholeRun(context: FaultContext, label: string, timeoutMs = 120_000): Promise<WholeRun> {
  const channelId = newChannel(context, label);
  const ack = await context.driver.slashCommand({ text: RUN_TEXT, userId: 'U0001', channelId });
  if (ack.status !== 200) throw new Error(`/coffee in ${channelId} answered ${ack.status}`);
  const run = await runWithMessage(context, channelId, timeoutMs);
  const opened = { channelId, runId: run.id, ts: run.message_ts };
  for (const user of ORDERERS) await placeOrder(context, opened, user);
  await waitFor(
    async () => {
      const { rows } = await context.db.query(
        "SELECT count(DISTINCT user_id)::int AS n FROM orders WHERE run_id = $1 AND status = 'active'",
        [run.id],
      );
      return rows[0].n === ORDERERS.length ? true : undefined;
    },
    `the orders in ${channelId}`,
    timeoutMs,
  );
  // Close; a click a dead runs-service never saw stays in Kafka until it is back.
  const close = await context.driver.blockAction({
    actionId: 'close_run',
    value: run.id,
    userId: 'U0001',
    channelId,
    messageTs: run.message_ts,
  });
  if (close.status !== 200) throw new Error(`close_run in ${channelId} answered ${close.status}`);
  await waitFor(
    async () => {
      const { rows } = await context.db.query("SELECT 1 FROM runs WHERE id = $1 AND status = 'closed'", [
        run.id,
      ]);
      return rows[0] ? true : undefined;
    },
    `the close in ${channelId}`,
    timeoutMs,
  );
  return { channelId, runId: run.id, orderers: ORDERERS };
}

/** The effects a closed run must have had, once each: the key suffix and what people saw. */
const RUN_EFFECTS = [
  { key: (id: string) => `run:${id}:message`, name: 'run messages' },
  { key: (id: string) => `run:${id}:summary`, name: 'summaries' },
  { key: (id: string) => `run:${id}:runner_dm`, name: 'runner DMs' },
  { key: (id: string) => `reminder:${id}:runner`, name: 'reminders' },
];

export interface RunTally {
  runs: number;
  /** Per effect name (and `orders`, `runs`): how many were seen more than once, and never. */
  duplicated: Record<string, number>;
  lost: Record<string, number>;
  /** App Home effects of the runners that did not end sent. */
  homeNotSent: number;
  /** What was lost or duplicated, for the log: `key status seen`. */
  problems: string[];
}

/**
 * Counts, for closed runs, what people saw: each run's message, summary, runner DM and runner
 * reminder posted exactly once (messages the emulator stored, by the effect ID in their
 * metadata, deleted ones included), each order exactly once, one run per channel, and the
 * runner's App Home published. Waits until no effect of these runs is pending or sending.
 */
export async function tallyRuns(
  context: FaultContext,
  runs: WholeRun[],
  timeoutMs = 180_000,
): Promise<RunTally> {
  const ids = runs.map((r) => r.runId);
  const keys = runs.flatMap((r) => RUN_EFFECTS.map((e) => e.key(r.runId)));
  // Settled: every effect these runs must have is sent and none of theirs is still under way (a
  // reminder cancelled as stale is re-armed by its newer version, so "cancelled" is not final).
  await waitFor(
    async () => {
      const { rows } = await context.db.query(
        "SELECT count(*)::int AS n FROM slack_effects WHERE run_id = ANY($1::uuid[]) AND status IN ('pending', 'sending')",
        [ids],
      );
      const sent = await context.db.query(
        "SELECT count(*)::int AS n FROM slack_effects WHERE key = ANY($1) AND status = 'sent'",
        [keys],
      );
      return rows[0].n === 0 && sent.rows[0].n === keys.length ? true : undefined;
    },
    'every effect of the runs to be sent',
    timeoutMs,
  ).catch(() => undefined);
  const duplicated: Record<string, number> = { runs: 0, orders: 0 };
  const lost: Record<string, number> = { runs: 0, orders: 0 };
  const { rows: effects } = await context.db.query(
    'SELECT id, key, status, last_error FROM slack_effects WHERE key = ANY($1)',
    [keys],
  );
  const byKey = new Map(
    effects.map((e) => [e.key as string, e as { id: string; status: string; last_error: string | null }]),
  );
  const posts = new Map<string, number>();
  for (const message of context.stack.emulator.state.messages) {
    if (message.ephemeral) continue;
    const payload = (
      message.metadata as { event_payload?: { effect_id?: string; part?: number } } | undefined
    )?.event_payload;
    if (!payload?.effect_id) continue;
    const k = `${payload.effect_id}:${payload.part ?? 0}`;
    posts.set(k, (posts.get(k) ?? 0) + 1);
  }
  for (const effect of RUN_EFFECTS) {
    duplicated[effect.name] = 0;
    lost[effect.name] = 0;
  }
  let homeNotSent = 0;
  const problems: string[] = [];
  for (const run of runs) {
    const { rows: inChannel } = await context.db.query(
      'SELECT id, runner_id, team_id FROM runs WHERE channel_id = $1',
      [run.channelId],
    );
    if (inChannel.length > 1) duplicated.runs = (duplicated.runs ?? 0) + inChannel.length - 1;
    if (inChannel.length === 0) lost.runs = (lost.runs ?? 0) + 1;
    for (const effect of RUN_EFFECTS) {
      const row = byKey.get(effect.key(run.runId));
      const seen = row ? (posts.get(`${row.id}:0`) ?? 0) : 0;
      if (row?.status !== 'sent' || seen === 0) lost[effect.name] = (lost[effect.name] ?? 0) + 1;
      if (seen > 1) duplicated[effect.name] = (duplicated[effect.name] ?? 0) + seen - 1;
      if (row?.status !== 'sent' || seen !== 1) {
        problems.push(
          `${effect.key(run.runId)} ${row?.status ?? 'missing'} seen ${seen}${row?.last_error ? ` (${row.last_error})` : ''}`,
        );
      }
    }
    const { rows: orders } = await context.db.query(
      "SELECT user_id, count(*)::int AS n FROM orders WHERE run_id = $1 AND status = 'active' GROUP BY user_id",
      [run.runId],
    );
    for (const user of run.orderers) {
      const n = orders.find((o) => o.user_id === user)?.n ?? 0;
      if (n === 0) lost.orders = (lost.orders ?? 0) + 1;
      if (n > 1) duplicated.orders = (duplicated.orders ?? 0) + n - 1;
    }
    const runner = inChannel[0]?.runner_id as string | undefined;
    if (runner) {
      const { rows: home } = await context.db.query('SELECT status FROM slack_effects WHERE key = $1', [
        `home:${inChannel[0]?.team_id}:${runner}`,
      ]);
      if (home[0] && home[0].status !== 'sent') homeNotSent += 1;
    }
  }
  if (problems.length) context.log(`effects not sent exactly once: ${problems.slice(0, 10).join('; ')}`);
  return { runs: runs.length, duplicated, lost, homeNotSent, problems };
}

/** The duplicate and loss figures of a tally, as table lines. */
export function tallyFigures(scenario: string, tally: RunTally): Figure[] {
  const total = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
  const detail = (record: Record<string, number>) =>
    Object.entries(record)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  const dup = total(tally.duplicated);
  const lost = total(tally.lost);
  return [
    figure(scenario, 'whole runs (run, 2 orders, close)', tally.runs),
    figure(
      scenario,
      'duplicated (runs, orders, run msgs, summaries, DMs, reminders)',
      dup === 0 ? 0 : `${dup}: ${detail(tally.duplicated)}`,
      '= 0',
      dup === 0,
    ),
    figure(scenario, 'lost (same)', lost === 0 ? 0 : `${lost}: ${detail(tally.lost)}`, '= 0', lost === 0),
    zero(scenario, 'App Homes not published', tally.homeNotSent),
  ];
}

/** Dead-lettered messages so far (every dead-letter topic's end offsets summed). */
export async function deadLetterCount(admin: Admin): Promise<number> {
  const topics = (await admin.listTopics()).filter((t) => t.endsWith('.dlq'));
  let sum = 0;
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) sum += Number(p.high);
  }
  return sum;
}

/** The sum of the end offsets of `topics` (messages ever written to them). */
export async function endOffsetSum(admin: Admin, topics: readonly string[]): Promise<number> {
  let sum = 0;
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) sum += Number(p.high);
  return sum;
}

/** Runs `tasks` with at most `limit` at a time. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next++;
        const item = items[i];
        if (i >= items.length || item === undefined) return;
        await task(item, i);
      }
    }),
  );
}
