import {
  createMessage,
  type DeliveryContext,
  type HandlerOutcome,
  type MessageOf,
  TOPICS,
} from '@coffeebuddy/contracts';
import { type Db, processMessageOnce, type Run } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import type { SlackActions } from '@coffeebuddy/slack';
import { buildRunMessage } from '@coffeebuddy/slack';

export interface StartRunDeps {
  db: Db;
  slack: SlackActions;
  /** Publishes the outbox right away instead of at the next poll. */
  wakeOutbox: () => void;
  /** A /coffee older than this is not acted on (the person has long moved on). */
  maxCommandAgeMs: number;
  now?: () => Date;
}

/** Tells the person something; a failure to tell is logged, never a reason to redo the work. */
async function tell(
  deps: StartRunDeps,
  responseUrl: string,
  text: string,
  context: DeliveryContext,
): Promise<void> {
  try {
    await deps.slack.respond(responseUrl, text);
  } catch (error) {
    context.logger.warn({ err: (error as Error).message }, 'could not answer through response_url');
  }
}

type StartOutcome = { kind: 'created'; run: Run } | { kind: 'already_open'; run: Run } | { kind: 'disabled' };

const SLACK_NOT_IN_CHANNEL = new Set(['channel_not_found', 'not_in_channel', 'is_archived']);

/**
 * `/coffee` → a run. In one transaction: the channel and user rows, the open-run check, the run
 * (open, pickup, note, correlation ID, initiator) and its `run_created` outbox event, together
 * with the processed-message record. Then the run message is posted and its ts stored; that step
 * is repeated on redelivery until it has happened, so a crash between the two never leaves a run
 * without its message.
 */
export async function startRun(
  deps: StartRunDeps,
  message: MessageOf<'slash_command'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const { db } = deps;
  const { teamId, channelId, userId, correlationId } = message;
  const initiatorId = userId ?? '';
  const request = message.payload.run ?? { pickupAt: null, pickupText: null, note: null };
  const ageMs = (deps.now?.() ?? new Date()).getTime() - new Date(message.payload.receivedAt).getTime();
  if (ageMs > deps.maxCommandAgeMs) {
    context.logger.warn({ ageMs }, '/coffee expired before it could be handled; not starting a run');
    await tell(
      deps,
      message.payload.responseUrl,
      `Sorry — CoffeeBuddy could not handle your \`/coffee\` from ${Math.round(ageMs / 60_000)} minutes ago in time, so no run was started. Please run it again.`,
      context,
    );
    return { duplicate: false };
  }

  const processed = await processMessageOnce(
    db,
    { ...context, messageId: message.messageId },
    async (tx): Promise<StartOutcome> => {
      const channel = await tx.channel.upsert({
        where: { id: channelId },
        create: { id: channelId, teamId },
        update: {},
      });
      await tx.user.upsert({ where: { id: initiatorId }, create: { id: initiatorId, teamId }, update: {} });
      if (!channel.enabled) return { kind: 'disabled' };
      const open = await tx.run.findFirst({ where: { channelId, status: 'open' } });
      if (open) return { kind: 'already_open', run: open };
      const run = await tx.run.create({
        data: {
          channelId,
          teamId,
          initiatorId,
          status: 'open',
          pickupAt: request.pickupAt ? new Date(request.pickupAt) : null,
          pickupText: request.pickupText,
          note: request.note,
          correlationId,
        },
      });
      await enqueueOutbox(
        tx,
        'runs-service',
        TOPICS.runEvents,
        createMessage(
          'run_created',
          { correlationId, teamId, channelId, userId: initiatorId },
          {
            runId: run.id,
            channelId,
            initiatorId,
            pickupAt: run.pickupAt?.toISOString() ?? null,
            pickupText: run.pickupText,
            note: run.note,
          },
        ),
      );
      return { kind: 'created', run };
    },
  );

  let run: Run | null;
  if (processed.duplicate) {
    run = await db.run.findFirst({ where: { channelId, correlationId } });
  } else {
    const outcome = processed.result;
    if (outcome.kind === 'disabled') {
      await tell(deps, message.payload.responseUrl, 'Coffee runs are turned off in this channel.', context);
      return processed;
    }
    if (outcome.kind === 'already_open') {
      context.logger.info({ runId: outcome.run.id }, 'a run is already open in this channel');
      await tell(
        deps,
        message.payload.responseUrl,
        `There's already a coffee run open here, started by <@${outcome.run.initiatorId}>` +
          `${outcome.run.pickupText ? ` (pickup ${outcome.run.pickupText})` : ''}. ` +
          'Order on its message, or close it before starting a new one.',
        context,
      );
      return processed;
    }
    deps.wakeOutbox();
    run = outcome.run;
    context.logger.info({ runId: run.id }, 'run created');
  }
  if (run && run.messageTs === null && run.status === 'open')
    await postRunMessage(deps, run, message.payload.responseUrl, context);
  return processed;
}

async function postRunMessage(
  deps: StartRunDeps,
  run: Run,
  responseUrl: string,
  context: DeliveryContext,
): Promise<void> {
  const rendered = buildRunMessage({ ...run, runId: run.id, orders: [] });
  let ts: string;
  try {
    ts = await deps.slack.postMessage(run.teamId, run.channelId, rendered);
  } catch (error) {
    const slackError = (error as { data?: { error?: string } }).data?.error;
    if (slackError && SLACK_NOT_IN_CHANNEL.has(slackError)) {
      // Nobody could see or close this run: cancel it and tell the person why.
      await deps.db.run.update({ where: { id: run.id }, data: { status: 'cancelled' } });
      context.logger.warn({ runId: run.id, slackError }, 'cannot post in the channel; run cancelled');
      await tell(
        deps,
        responseUrl,
        "I can't post in this channel yet — invite me with `/invite @CoffeeBuddy`, then run `/coffee` again.",
        context,
      );
      return;
    }
    throw error;
  }
  await deps.db.run.updateMany({ where: { id: run.id, messageTs: null }, data: { messageTs: ts } });
  context.logger.info({ runId: run.id, ts }, 'run message posted');
}
