import {
  createMessage,
  type DeliveryContext,
  type HandlerOutcome,
  type MessageOf,
  TOPICS,
} from '@coffeebuddy/contracts';
import { type Db, processMessageOnce, type Run, settleCommandFate } from '@coffeebuddy/db';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import {
  type EffectDeliverer,
  notePartsFrom,
  requestRunMessage,
  type SlackActions,
} from '@coffeebuddy/slack';
import { scheduleReminders } from './reminders';

export interface StartRunDeps {
  db: Db;
  slack: SlackActions;
  effects: Pick<EffectDeliverer, 'deliver'>;
  /** Publishes the outbox right away instead of at the next poll. */
  wakeOutbox: () => void;
  /** A /coffee older than this is not acted on (the person has long moved on). */
  maxCommandAgeMs: number;
  now?: () => Date;
}

/**
 * Tells the person something that follows no change (a refusal): best effort, logged when it
 * fails, never a reason to redo the work.
 */
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

type StartOutcome =
  | { kind: 'created'; run: Run; effectId: string }
  | { kind: 'already_open'; run: Run }
  | { kind: 'disabled' }
  | { kind: 'abandoned' };

/**
 * `/coffee` → a run. In one transaction, with the processed-message record: the channel and user
 * rows, the open-run check, the run (open, pickup, note, correlation ID, initiator), its
 * `run_created` outbox event, its reminders (`reminder_scheduled`, when it has a pickup time) and
 * its run-message Slack effect. The effect is then delivered at
 * once; if Slack refuses the message for good, the effect's rule cancels the run and tells the
 * initiator (see packages/slack's run effects), so a channel is never left locked.
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
      // The gateway told the person this command failed (Kafka took it too late): it stays undone.
      if ((await settleCommandFate(tx, message.messageId, 'taken')) === 'abandoned')
        return { kind: 'abandoned' };
      // INSERT … ON CONFLICT DO NOTHING each (Prisma's upsert reads before and after writing).
      await tx.channel.createMany({ data: [{ id: channelId, teamId }], skipDuplicates: true });
      await tx.user.createMany({ data: [{ id: initiatorId, teamId }], skipDuplicates: true });
      const channel = await tx.channel.findUniqueOrThrow({ where: { id: channelId } });
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
          // The note's mentions, channel links and URLs, from the text Slack sent.
          noteParts: notePartsFrom(message.payload.text, request.note) ?? undefined,
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
      const effectId = await requestRunMessage(tx, run, {
        correlationId,
        responseUrl: message.payload.responseUrl,
      });
      await scheduleReminders(tx, run.id, channel);
      return { kind: 'created', run, effectId };
    },
  );

  if (processed.duplicate) return processed;
  const outcome = processed.result;
  if (outcome.kind === 'disabled') {
    await tell(deps, message.payload.responseUrl, 'Coffee runs are turned off in this channel.', context);
    return processed;
  }
  if (outcome.kind === 'abandoned') {
    context.logger.info('/coffee reached us after the gateway told the person it failed; not starting a run');
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
  context.logger.info({ runId: outcome.run.id }, 'run created');
  await deps.effects.deliver([outcome.effectId]);
  return processed;
}
