import { createMessage, isAway, localDate, TOPICS } from '@coffeebuddy/contracts';
import type { Db, Run, Tx } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import { activeOrders } from '../active-orders';
import { mrkdwnSection } from '../block-kit';
import { buildAppHome } from '../blocks/app-home';
import { buildRunMessage, type SlackMessage } from '../blocks/run-message';
import { buildRunnerDm, buildRunSummary, type RunSummaryInput } from '../blocks/run-summary';
import { cancelPendingEffects, recordEffect } from './store';
import type { ClaimedEffect, EffectFailure, EffectKind, EffectKinds, RenderedCall } from './types';

/**
 * The Slack effects of a coffee run: its message (posted, then updated after every change), the
 * closing summary, the runner's DM, the App Home, and answers to one person. Every kind renders
 * from the database as it is when it is sent, so a late or repeated delivery shows the latest
 * state. The flows record them with the `request…` functions below, in their own transaction.
 */
export const RUN_EFFECTS = {
  runMessage: 'run_message',
  runMessageUpdate: 'run_message_update',
  summary: 'run_summary',
  summaryUpdate: 'run_summary_update',
  runnerDm: 'runner_dm',
  appHome: 'app_home',
  tell: 'tell',
  channelNotice: 'channel_notice',
} as const;

const MINUTE = 60_000;
/** How long each kind may keep trying. A run message later than this is no use: the run is cancelled. */
const WINDOW_MS = {
  runMessage: 10 * MINUTE,
  update: 60 * MINUTE,
  closing: 60 * MINUTE,
  appHome: 10 * MINUTE,
  // A response_url works for 30 minutes.
  tell: 25 * MINUTE,
};
/** How soon an update looks again while the message it updates is still being posted. */
const NOT_POSTED_YET_MS = 250;

/** Who to tell when something the person did could not be shown (where to reach them). */
export interface Notify {
  userId: string;
  channelId: string;
  /** The interaction's response_url, when there is one. */
  responseUrl?: string;
}

interface RunRef {
  id: string;
  teamId: string;
  channelId: string;
}

const within = (ms: number) => new Date(Date.now() + ms);

// ---- recording effects (inside the flow's transaction) ----

/** A new run's message. `responseUrl` is the /coffee's, to tell the initiator if it cannot be posted. */
export function requestRunMessage(
  tx: Tx,
  run: RunRef & { initiatorId: string },
  context: { correlationId: string; responseUrl?: string },
): Promise<string> {
  return recordEffect(tx, {
    kind: RUN_EFFECTS.runMessage,
    key: `run:${run.id}:message`,
    teamId: run.teamId,
    channelId: run.channelId,
    userId: run.initiatorId,
    runId: run.id,
    payload: {
      notify: { userId: run.initiatorId, channelId: run.channelId, responseUrl: context.responseUrl },
    },
    correlationId: context.correlationId,
    deadlineAt: within(WINDOW_MS.runMessage),
  });
}

/** The run message must show the run as it is now (after an order, a cancel, the close). */
export function requestRunMessageUpdate(
  tx: Tx,
  run: RunRef,
  context: { correlationId: string; notify: Notify },
): Promise<string> {
  return recordEffect(
    tx,
    {
      kind: RUN_EFFECTS.runMessageUpdate,
      key: `run:${run.id}:message:update`,
      teamId: run.teamId,
      channelId: run.channelId,
      runId: run.id,
      payload: { notify: context.notify },
      correlationId: context.correlationId,
      deadlineAt: within(WINDOW_MS.update),
    },
    { rearm: true },
  );
}

/** Closing a run: the channel summary, the runner's DM (when there is a runner), the closed message. */
export async function requestCloseEffects(
  tx: Tx,
  run: RunRef & { runnerId: string | null },
  context: { correlationId: string; notify: Notify },
): Promise<string[]> {
  const common = {
    teamId: run.teamId,
    runId: run.id,
    payload: { notify: context.notify },
    correlationId: context.correlationId,
    deadlineAt: within(WINDOW_MS.closing),
  };
  const ids = [
    await recordEffect(tx, {
      ...common,
      kind: RUN_EFFECTS.summary,
      key: `run:${run.id}:summary`,
      channelId: run.channelId,
    }),
  ];
  if (run.runnerId) {
    ids.push(
      await recordEffect(tx, {
        ...common,
        kind: RUN_EFFECTS.runnerDm,
        key: `run:${run.id}:runner_dm`,
        userId: run.runnerId,
      }),
    );
  }
  ids.push(await requestRunMessageUpdate(tx, run, context));
  return ids;
}

/**
 * A person's App Home, rendered when it is sent (asked again → the latest is published).
 * `dmChannelId` is the app's DM with them (D…, from `app_home_opened` or a Home click): the view
 * carries it so the Home tab's settings clicks can be routed (block_actions from a Home tab name
 * no channel). `notice` is a one-line answer shown at the top (this publish only).
 */
export function requestAppHome(
  tx: Tx,
  teamId: string,
  userId: string,
  correlationId: string,
  options: { dmChannelId?: string | null; notice?: string } = {},
): Promise<string> {
  return recordEffect(
    tx,
    {
      kind: RUN_EFFECTS.appHome,
      key: `home:${teamId}:${userId}`,
      teamId,
      userId,
      payload: {
        ...(options.dmChannelId ? { dmChannelId: options.dmChannelId } : {}),
        ...(options.notice ? { notice: options.notice } : {}),
      },
      correlationId,
      deadlineAt: within(WINDOW_MS.appHome),
    },
    { rearm: true },
  );
}

/**
 * Something only `notify.userId` sees, about a change that happened: through the response_url
 * when there is one (it works where the app is not in the channel), else ephemeral in the channel.
 * `key` names the cause (one answer per cause).
 */
export function requestTell(
  tx: Tx,
  input: { key: string; teamId: string; notify: Notify; text: string; correlationId: string; runId?: string },
): Promise<string> {
  return recordEffect(tx, {
    kind: RUN_EFFECTS.tell,
    key: input.key,
    teamId: input.teamId,
    channelId: input.notify.channelId,
    userId: input.notify.userId,
    runId: input.runId ?? null,
    payload: {
      text: input.text,
      ...(input.notify.responseUrl ? { responseUrl: input.notify.responseUrl } : {}),
    },
    correlationId: input.correlationId,
    deadlineAt: within(WINDOW_MS.tell),
  });
}

/**
 * A message to everyone in the channel about the run (e.g. it was cancelled because coffee runs
 * were turned off there). `key` names the cause: one notice per cause.
 */
export function requestChannelNotice(
  tx: Tx,
  input: {
    key: string;
    teamId: string;
    channelId: string;
    text: string;
    correlationId: string;
    runId?: string;
  },
): Promise<string> {
  return recordEffect(tx, {
    kind: RUN_EFFECTS.channelNotice,
    key: input.key,
    teamId: input.teamId,
    channelId: input.channelId,
    runId: input.runId ?? null,
    payload: { text: input.text },
    correlationId: input.correlationId,
    deadlineAt: within(WINDOW_MS.update),
  });
}

// ---- rendering and flow rules ----

type Snapshot = { userId: string; text: string }[];

function notifyOf(effect: ClaimedEffect): Notify | null {
  const notify = (effect.payload as { notify?: Notify } | null)?.notify;
  return notify?.userId && notify.channelId ? notify : null;
}

function summaryInput(run: Run): RunSummaryInput {
  return {
    runId: run.id,
    pickupAt: run.pickupAt,
    pickupText: run.pickupText,
    note: run.note,
    noteParts: run.noteParts,
    runnerId: run.runnerId,
    why: String((run.fairnessAudit as { why?: string } | null)?.why ?? ''),
    orders: (run.orderSnapshot as Snapshot | null) ?? [],
    runnerDmError: run.runnerDmError,
  };
}

/**
 * The summary: one message, or several in order when the orders need them (every order listed).
 * It says so when the runner could not be sent their DM; that line is in the first message, the
 * one whose ts is stored and updated.
 */
function summaryMessages(run: Run): SlackMessage[] {
  return buildRunSummary(summaryInput(run));
}

async function postStillComing(db: Db, runId: string, kind: string): Promise<boolean> {
  const pending = await db.slackEffect.count({
    where: { runId, kind, status: { in: ['pending', 'sending'] } },
  });
  return pending > 0;
}

/**
 * The run, for an update of the message whose ts `field` records: read again after its post
 * (`kind`) is found not under way, or `'posting'` while it is. A post's ts and its effect's
 * `sent` commit together, so only a read after seeing the effect done is sure to see the ts: one
 * read before could miss a post that landed in between (an order placed the instant the run
 * message appeared: its refresh was skipped and the message kept showing no orders). Null when
 * the run no longer exists.
 */
async function runAfterPost(
  db: Db,
  runId: string,
  kind: string,
  field: 'messageTs' | 'summaryTs',
): Promise<Run | null | 'posting'> {
  const run = await db.run.findUnique({ where: { id: runId } });
  if (!run || run[field]) return run;
  if (await postStillComing(db, runId, kind)) return 'posting';
  return db.run.findUnique({ where: { id: runId } });
}

/** What the initiator is told when a new run's message cannot be posted (by Slack's error). */
export function runMessageRefusedText(code: string): string {
  if (code.startsWith('restricted_action')) {
    return "I'm not allowed to post in this channel (only some members may post here), so I cancelled your coffee run. Ask a channel admin to let me post, or start the run in another channel.";
  }
  if (code === 'not_in_channel' || code === 'channel_not_found') {
    return "I can't post in this channel yet, so I cancelled your coffee run — invite me with `/invite @CoffeeBuddy`, then run `/coffee` again.";
  }
  if (code === 'is_archived') return 'This channel is archived, so I cancelled your coffee run.';
  if (code === 'deadline_exceeded') {
    return 'Slack did not take the coffee run message in time, so I cancelled the run — please try `/coffee` again.';
  }
  return `Slack refused the coffee run message (\`${code}\`), so I cancelled the run.`;
}

const runMessage: EffectKind = {
  async render({ db }, effect) {
    const run = await db.run.findUnique({ where: { id: effect.runId ?? '' } });
    if (!run) return { skip: 'the run no longer exists' };
    if (run.status !== 'open') return { skip: `the run is ${run.status}` };
    if (run.messageTs) return { skip: 'the run message is already posted' };
    const orders = await activeOrders(db, run.id);
    return {
      call: 'post',
      channel: run.channelId,
      messages: [buildRunMessage({ ...run, runId: run.id, orders })],
    };
  },
  async onSent(tx, effect, sent) {
    await tx.run.updateMany({
      where: { id: effect.runId ?? '', messageTs: null },
      data: { messageTs: sent.ts[0] },
    });
  },
  async onFailed(tx, effect, failure) {
    // Nobody could see or close this run: cancel it (the channel is free for the next /coffee).
    const cancelled = await tx.run.updateManyAndReturn({
      where: { id: effect.runId ?? '', status: 'open', messageTs: null },
      data: { status: 'cancelled', closedAt: new Date() },
    });
    const run = cancelled[0];
    if (!run) return;
    await cancelPendingEffects(tx, run.id, [RUN_EFFECTS.runMessageUpdate]);
    // A run's lifecycle events are runs-service's to publish, whichever service's deliverer
    // recorded the failure (both may write the run events; ACL.md).
    await enqueueOutbox(
      tx,
      'runs-service',
      TOPICS.runEvents,
      createMessage(
        'run_cancelled',
        { correlationId: effect.correlationId, teamId: run.teamId, channelId: run.channelId, userId: null },
        { runId: run.id, channelId: run.channelId, reason: failure.code.slice(0, 128), cancelledById: null },
      ),
    );
    const notify = notifyOf(effect) ?? { userId: run.initiatorId, channelId: run.channelId };
    await requestTell(tx, {
      key: `run:${run.id}:cancelled:told`,
      teamId: run.teamId,
      notify,
      text: runMessageRefusedText(failure.code),
      correlationId: effect.correlationId,
      runId: run.id,
    });
  },
};

const runMessageUpdate: EffectKind = {
  async render({ db }, effect) {
    const run = await runAfterPost(db, effect.runId ?? '', RUN_EFFECTS.runMessage, 'messageTs');
    if (run === 'posting')
      return { defer: NOT_POSTED_YET_MS, reason: 'the run message is still being posted' };
    if (!run) return { skip: 'the run no longer exists' };
    // A run cancelled before its message was posted has nothing to update; one cancelled later
    // (its channel turned off) shows it is cancelled, without buttons.
    if (run.status === 'cancelled' && !run.messageTs) return { skip: 'the run was cancelled' };
    if (!run.messageTs) return { skip: 'the run has no message' };
    const orders =
      run.status === 'open' ? await activeOrders(db, run.id) : ((run.orderSnapshot as Snapshot | null) ?? []);
    return {
      call: 'update',
      channel: run.channelId,
      ts: run.messageTs,
      message: buildRunMessage({ ...run, runId: run.id, orders }),
    };
  },
  async onFailed(tx, effect, failure) {
    const run = await tx.run.findUnique({ where: { id: effect.runId ?? '' } });
    const notify = notifyOf(effect);
    if (!run) return;
    const cause = `run:${run.id}:update-failed:${effect.id}:${effect.generation}`;
    let text: string;
    if (run.status === 'open' && failure.code === 'message_not_found') {
      // The message was deleted: the run goes on, with a fresh message.
      await tx.run.update({ where: { id: run.id }, data: { messageTs: null } });
      await recordEffect(tx, {
        kind: RUN_EFFECTS.runMessage,
        key: `run:${run.id}:message:repost:${effect.id}:${effect.generation}`,
        teamId: run.teamId,
        channelId: run.channelId,
        runId: run.id,
        payload: { notify: notify ?? { userId: run.initiatorId, channelId: run.channelId } },
        correlationId: effect.correlationId,
        deadlineAt: within(WINDOW_MS.runMessage),
      });
      text = 'The coffee run message had been deleted, so I posted a fresh one — what you did is saved.';
    } else if (run.status === 'closed') {
      text = `The run is closed and the summary is posted, but I couldn't update the run message (Slack said \`${failure.code}\`).`;
    } else {
      text = `What you did is saved, but I couldn't update the coffee run message (Slack said \`${failure.code}\`).`;
    }
    if (notify) {
      await requestTell(tx, {
        key: cause,
        teamId: run.teamId,
        notify,
        text,
        correlationId: effect.correlationId,
        runId: run.id,
      });
    }
  },
};

const summary: EffectKind = {
  async render({ db }, effect) {
    const run = await db.run.findUnique({ where: { id: effect.runId ?? '' } });
    if (run?.status !== 'closed') return { skip: 'the run is not closed' };
    return { call: 'post', channel: run.channelId, messages: summaryMessages(run) };
  },
  async onSent(tx, effect, sent) {
    await tx.run.update({ where: { id: effect.runId ?? '' }, data: { summaryTs: sent.ts[0] } });
  },
  async onFailed(tx, effect, failure) {
    const notify = notifyOf(effect);
    if (!notify || !effect.runId) return;
    await requestTell(tx, {
      key: `run:${effect.runId}:summary-failed`,
      teamId: effect.teamId,
      notify,
      text: `The run is closed, but I couldn't post the summary in the channel (Slack said \`${failure.code}\`). The runner still gets their DM.`,
      correlationId: effect.correlationId,
      runId: effect.runId,
    });
  },
};

const summaryUpdate: EffectKind = {
  async render({ db }, effect) {
    const run = await runAfterPost(db, effect.runId ?? '', RUN_EFFECTS.summary, 'summaryTs');
    if (run === 'posting') return { defer: NOT_POSTED_YET_MS, reason: 'the summary is still being posted' };
    if (run?.status !== 'closed') return { skip: 'the run is not closed' };
    if (!run.summaryTs) return { skip: 'the summary was never posted' };
    const [first] = summaryMessages(run);
    if (!first) return { skip: 'the summary is empty' };
    return { call: 'update', channel: run.channelId, ts: run.summaryTs, message: first };
  },
};

const runnerDm: EffectKind = {
  async render({ db }, effect) {
    const run = await db.run.findUnique({ where: { id: effect.runId ?? '' }, include: { channel: true } });
    if (run?.status !== 'closed' || !run.runnerId) return { skip: 'the run has no runner' };
    const messages = buildRunnerDm(summaryInput(run), {
      enabled: run.channel.enabled && run.channel.remindersEnabled,
      reminderOffsetMinutes: run.channel.reminderOffsetMinutes,
      lastCallEnabled: run.channel.lastCallEnabled,
    });
    return { call: 'post', channel: run.runnerId, dm: true, messages };
  },
  async onSent(tx, effect, sent) {
    await tx.run.update({ where: { id: effect.runId ?? '' }, data: { runnerDmTs: sent.ts[0] } });
  },
  async onFailed(tx, effect, failure) {
    // The channel must know the runner was not told: the summary says so.
    const run = await tx.run.update({
      where: { id: effect.runId ?? '' },
      data: { runnerDmError: failure.code.slice(0, 128) },
    });
    await recordEffect(
      tx,
      {
        kind: RUN_EFFECTS.summaryUpdate,
        key: `run:${run.id}:summary:update`,
        teamId: run.teamId,
        channelId: run.channelId,
        runId: run.id,
        correlationId: effect.correlationId,
        deadlineAt: within(WINDOW_MS.closing),
      },
      { rearm: true },
    );
  },
};

const appHome: EffectKind = {
  async render({ db }, effect) {
    const userId = effect.userId ?? '';
    const [stats, preferences, user] = await Promise.all([
      db.runnerStat.findMany({ where: { userId } }),
      db.userPreference.findMany({ where: { userId } }),
      db.user.findUnique({ where: { id: userId }, select: { awayUntil: true, tz: true } }),
    ]);
    // An "away until" date that has passed (on the person's calendar) is not shown any more.
    const awayUntil = user?.awayUntil?.toISOString().slice(0, 10) ?? null;
    const away = isAway(awayUntil, localDate(new Date(), user?.tz));
    const payload = (effect.payload ?? {}) as { dmChannelId?: string; notice?: string };
    const view = buildAppHome({
      stats,
      preferences,
      awayUntil: away ? awayUntil : null,
      dmChannelId: payload.dmChannelId ?? null,
      notice: payload.notice ?? null,
    });
    return { call: 'publish_home', userId, view };
  },
};

const tell: EffectKind = {
  async render(_context, effect): Promise<RenderedCall> {
    const payload = effect.payload as { text?: string; responseUrl?: string };
    return {
      call: 'tell',
      channel: effect.channelId ?? '',
      userId: effect.userId ?? '',
      text: payload.text ?? '',
      ...(payload.responseUrl ? { responseUrl: payload.responseUrl } : {}),
    };
  },
  async onFailed(tx, effect, failure: EffectFailure) {
    // An expired or used-up response_url: say it ephemerally in the channel instead.
    const payload = effect.payload as { text?: string; responseUrl?: string };
    if (!payload.responseUrl || !failure.code.startsWith('response_url_http_') || !effect.userId) return;
    await requestTell(tx, {
      key: `${effect.key}:ephemeral`,
      teamId: effect.teamId,
      notify: { userId: effect.userId, channelId: effect.channelId ?? '' },
      text: payload.text ?? '',
      correlationId: effect.correlationId,
      ...(effect.runId ? { runId: effect.runId } : {}),
    });
  },
};

const channelNotice: EffectKind = {
  async render(_context, effect): Promise<RenderedCall> {
    const text = String((effect.payload as { text?: string } | null)?.text ?? '');
    return {
      call: 'post',
      channel: effect.channelId ?? '',
      messages: [{ text, blocks: [mrkdwnSection(text)] }],
    };
  },
};

/** Every run kind, for the deliverers of the services that record them. */
export const runEffectKinds: EffectKinds = {
  [RUN_EFFECTS.runMessage]: runMessage,
  [RUN_EFFECTS.runMessageUpdate]: runMessageUpdate,
  [RUN_EFFECTS.summary]: summary,
  [RUN_EFFECTS.summaryUpdate]: summaryUpdate,
  [RUN_EFFECTS.runnerDm]: runnerDm,
  [RUN_EFFECTS.appHome]: appHome,
  [RUN_EFFECTS.tell]: tell,
  [RUN_EFFECTS.channelNotice]: channelNotice,
};
