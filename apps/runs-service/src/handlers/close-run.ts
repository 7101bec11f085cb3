import {
  createMessage,
  type DeliveryContext,
  type HandlerOutcome,
  isUuid,
  type MessageOf,
  TOPICS,
} from '@coffeebuddy/contracts';
import { type Db, processMessageOnce, type Run } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import {
  activeOrders,
  buildRunMessage,
  buildRunnerDm,
  buildRunSummary,
  type SlackActions,
} from '@coffeebuddy/slack';
import { selectRunner } from '../domain/fairness';

export interface CloseRunDeps {
  db: Db;
  slack: SlackActions;
  wakeOutbox: () => void;
  now?: () => Date;
}

interface SnapshotOrder {
  userId: string;
  text: string;
  provenance: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

async function tell(
  deps: CloseRunDeps,
  responseUrl: string | undefined,
  text: string,
  context: DeliveryContext,
): Promise<void> {
  if (!responseUrl) return;
  try {
    await deps.slack.respond(responseUrl, text);
  } catch (error) {
    context.logger.warn({ err: (error as Error).message }, 'could not answer through response_url');
  }
}

/** The initiator, the channel's configured admins, or a workspace admin/owner (users.info). */
async function mayClose(
  deps: CloseRunDeps,
  run: Run,
  userId: string,
  adminUserIds: string[],
): Promise<boolean> {
  if (userId === run.initiatorId || adminUserIds.includes(userId)) return true;
  const info = await deps.slack.userInfo(run.teamId, userId);
  return info.isAdmin || info.isOwner;
}

/**
 * "Close run". One transaction, with the processed-message record: the run row locked (orders
 * take the same lock, so a racing order is either in the snapshot or refused as late), status
 * open → closed, the runner chosen by `selectRunner` with its audit, runner stats updated, the
 * final order snapshot stored and the `run_closed` outbox event. Then the channel summary, the
 * closed run message and the runner's DM — each recorded once done, so a redelivery finishes
 * only what is missing.
 */
export async function closeRun(
  deps: CloseRunDeps,
  message: MessageOf<'block_action'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const runId = message.payload.value ?? '';
  const userId = message.userId ?? '';
  const responseUrl = message.payload.responseUrl;
  const run = isUuid(runId)
    ? await deps.db.run.findUnique({ where: { id: runId }, include: { channel: true } })
    : null;
  if (!run) {
    await tell(deps, responseUrl, 'That coffee run no longer exists.', context);
    return { duplicate: false };
  }
  if (run.status === 'open' && !(await mayClose(deps, run, userId, run.channel.adminUserIds))) {
    context.logger.info({ runId }, 'close refused: not the initiator or an admin');
    await tell(
      deps,
      responseUrl,
      `Only <@${run.initiatorId}> (who started this run) or a channel admin can close it.`,
      context,
    );
    return { duplicate: false };
  }

  const now = deps.now?.() ?? new Date();
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      const locked = await tx.$queryRaw<
        { status: string }[]
      >`SELECT status FROM runs WHERE id = ${runId}::uuid FOR UPDATE`;
      if (locked[0]?.status !== 'open') return 'not_open' as const;
      const orders = await activeOrders(tx, runId);
      const participants = orders.map((o) => o.userId);
      const windowStart = new Date(now.getTime() - run.channel.fairnessWindowDays * DAY_MS);
      const served = await tx.run.groupBy({
        by: ['runnerId'],
        where: {
          channelId: run.channelId,
          status: 'closed',
          runnerId: { in: participants },
          closedAt: { gte: windowStart },
        },
        _count: { _all: true },
      });
      const stats = await tx.runnerStat.findMany({
        where: { channelId: run.channelId, userId: { in: participants } },
      });
      const previous = await tx.run.findFirst({
        where: { channelId: run.channelId, status: 'closed', runnerId: { not: null } },
        orderBy: { closedAt: 'desc' },
        select: { runnerId: true },
      });
      const decision = selectRunner({
        runId,
        windowDays: run.channel.fairnessWindowDays,
        previousRunnerId: previous?.runnerId ?? null,
        candidates: participants.map((id) => {
          const stat = stats.find((s) => s.userId === id);
          return {
            userId: id,
            servedInWindow: served.find((s) => s.runnerId === id)?._count._all ?? 0,
            lastRunAt: stat?.lastRunAt ?? null,
            optInRepeat: stat?.optInRepeat ?? false,
          };
        }),
      });
      const snapshot: SnapshotOrder[] = orders.map((o) => ({
        userId: o.userId,
        text: o.text,
        provenance: o.provenance,
      }));
      await tx.run.update({
        where: { id: runId },
        data: {
          status: 'closed',
          runnerId: decision.runnerId,
          closedAt: now,
          closedById: userId,
          orderSnapshot: snapshot as object[],
          fairnessAudit: { ...decision.audit, why: decision.why } as object,
        },
      });
      if (decision.runnerId) {
        await tx.runnerStat.upsert({
          where: { channelId_userId: { channelId: run.channelId, userId: decision.runnerId } },
          create: { channelId: run.channelId, userId: decision.runnerId, runsServedCount: 1, lastRunAt: now },
          update: { runsServedCount: { increment: 1 }, lastRunAt: now },
        });
      }
      await enqueueOutbox(
        tx,
        'runs-service',
        TOPICS.runEvents,
        createMessage(
          'run_closed',
          { correlationId: message.correlationId, teamId: run.teamId, channelId: run.channelId, userId },
          {
            runId,
            channelId: run.channelId,
            closedById: userId,
            runnerId: decision.runnerId,
            pickupAt: run.pickupAt?.toISOString() ?? null,
            orderCount: orders.length,
          },
        ),
      );
      context.logger.info(
        { runId, runnerId: decision.runnerId, why: decision.why, orders: orders.length },
        'run closed',
      );
      return 'closed' as const;
    },
  );

  if (!processed.duplicate && processed.result === 'not_open') {
    await tell(deps, responseUrl, 'This coffee run is already closed.', context);
  }
  if (!processed.duplicate && processed.result === 'closed') deps.wakeOutbox();
  await finishClose(deps, runId, context.logger);
  return processed;
}

/** Posts what a closed run still lacks: the summary, the closed run message, the runner's DM. */
export async function finishClose(
  deps: CloseRunDeps,
  runId: string,
  logger: DeliveryContext['logger'],
): Promise<void> {
  const run = await deps.db.run.findUnique({ where: { id: runId }, include: { channel: true } });
  if (run?.status !== 'closed') return;
  const orders = (run.orderSnapshot as SnapshotOrder[] | null) ?? [];
  const why = String((run.fairnessAudit as { why?: string } | null)?.why ?? '');
  const summary = {
    runId,
    pickupAt: run.pickupAt,
    pickupText: run.pickupText,
    note: run.note,
    runnerId: run.runnerId,
    why,
    orders,
  };
  if (!run.summaryTs) {
    const ts = await deps.slack.postMessage(run.teamId, run.channelId, buildRunSummary(summary));
    await deps.db.run.update({ where: { id: runId }, data: { summaryTs: ts } });
    logger.info({ runId, ts }, 'summary posted');
  }
  if (run.messageTs) {
    await deps.slack.updateMessage(
      run.teamId,
      run.channelId,
      run.messageTs,
      buildRunMessage({ ...run, runId, orders }),
    );
  }
  if (run.runnerId && !run.runnerDmTs) {
    const dm = await deps.slack.sendDm(
      run.teamId,
      run.runnerId,
      buildRunnerDm(summary, {
        enabled: run.channel.enabled,
        reminderOffsetMinutes: run.channel.reminderOffsetMinutes,
        lastCallEnabled: run.channel.lastCallEnabled,
      }),
    );
    await deps.db.run.update({ where: { id: runId }, data: { runnerDmTs: dm.ts } });
    logger.info({ runId, runnerId: run.runnerId }, 'runner DM sent');
  }
}

/**
 * A poller's job: finishes closed runs whose summary or runner DM is still missing (Slack was
 * down longer than the handler waited, or the process stopped in between). Runs closed in the
 * last day only; older ones are left alone rather than surprising anyone.
 */
export async function finishPendingCloses(
  deps: CloseRunDeps,
  logger: DeliveryContext['logger'],
): Promise<number> {
  const since = new Date((deps.now?.() ?? new Date()).getTime() - DAY_MS);
  const pending = await deps.db.run.findMany({
    where: {
      status: 'closed',
      closedAt: { gte: since },
      OR: [{ summaryTs: null }, { runnerId: { not: null }, runnerDmTs: null }],
    },
    select: { id: true },
    take: 20,
  });
  for (const { id } of pending) {
    try {
      await finishClose(deps, id, logger);
    } catch (error) {
      logger.warn({ runId: id, err: (error as Error).message }, 'could not finish a closed run yet');
    }
  }
  return pending.length;
}
