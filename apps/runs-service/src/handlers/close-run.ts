import {
  createMessage,
  type DeliveryContext,
  type HandlerOutcome,
  isAway,
  isUuid,
  localDate,
  type MessageOf,
  TOPICS,
} from '@coffeebuddy/contracts';
import { type Db, processMessageOnce, type Run } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import {
  activeOrders,
  type EffectDeliverer,
  requestCloseEffects,
  type SlackActions,
} from '@coffeebuddy/slack';
import { selectRunner } from '../domain/fairness';
import { scheduleReminders } from './reminders';

export interface CloseRunDeps {
  db: Db;
  slack: SlackActions;
  effects: Pick<EffectDeliverer, 'deliver'>;
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
 * final order snapshot stored, the `run_closed` outbox event, and the Slack effects the close
 * implies — the channel summary, the runner's DM, the closed run message — each delivered on its
 * own, once (see packages/slack's run effects).
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
  const notify = { userId, channelId: run.channelId, ...(responseUrl ? { responseUrl } : {}) };
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      const locked = await tx.$queryRaw<
        { status: string }[]
      >`SELECT status FROM runs WHERE id = ${runId}::uuid FOR UPDATE`;
      if (locked[0]?.status !== 'open') return { kind: 'not_open' as const };
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
      const people = await tx.user.findMany({
        where: { id: { in: participants } },
        select: { id: true, tz: true, awayUntil: true },
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
          const person = people.find((p) => p.id === id);
          // "Away until" is a date on the person's own calendar (the channel's when Slack has no zone).
          const awayUntil = person?.awayUntil?.toISOString().slice(0, 10) ?? null;
          const today = localDate(now, person?.tz ?? run.channel.timezone);
          return {
            userId: id,
            servedInWindow: served.find((s) => s.runnerId === id)?._count._all ?? 0,
            lastRunAt: stat?.lastRunAt ?? null,
            optInRepeat: stat?.optInRepeat ?? false,
            awayUntil: isAway(awayUntil, today) ? awayUntil : null,
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
      // The runner is known now: their reminder is scheduled with them (and the last call ends).
      await scheduleReminders(tx, runId);
      const effectIds = await requestCloseEffects(
        tx,
        { id: runId, teamId: run.teamId, channelId: run.channelId, runnerId: decision.runnerId },
        { correlationId: message.correlationId, notify },
      );
      context.logger.info(
        { runId, runnerId: decision.runnerId, why: decision.why, orders: orders.length },
        'run closed',
      );
      return { kind: 'closed' as const, effectIds };
    },
  );

  if (processed.duplicate) return processed;
  if (processed.result.kind === 'not_open') {
    await tell(deps, responseUrl, 'This coffee run is already closed.', context);
    return processed;
  }
  deps.wakeOutbox();
  await deps.effects.deliver(processed.result.effectIds);
  return processed;
}
