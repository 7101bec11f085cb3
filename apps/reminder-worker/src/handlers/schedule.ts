import type { DeliveryContext, HandlerOutcome, MessageOf } from '@coffeebuddy/contracts';
import { type Db, processMessageOnce } from '@coffeebuddy/db';
import { type EffectDeliverer, recordVersionedEffect } from '@coffeebuddy/slack';
import { REMINDER_EFFECTS, type ReminderPayload } from '../reminder-effects';

/**
 * `reminder_scheduled` → a durable scheduled effect, due at `remindAt` (at once when that has
 * passed), retried until the pickup time. One effect per run and kind: a newer version replaces
 * it (due time, runner, settings), an older one arriving late changes nothing. Recorded together
 * with the processed-message record, so a redelivery is a no-op.
 */
export async function scheduleReminder(
  deps: { db: Db; effects: Pick<EffectDeliverer, 'deliver'> },
  message: MessageOf<'reminder_scheduled'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const { payload } = message;
  const now = new Date();
  const remindAt = new Date(payload.remindAt);
  const version = payload.version ?? 0;
  const processed = await processMessageOnce(
    deps.db,
    { ...context, messageId: message.messageId },
    async (tx) => {
      // The run may be gone already (reset, retention): nothing to remind of.
      const run = await tx.run.findUnique({ where: { id: payload.runId }, select: { id: true } });
      if (!run) return { id: null, reason: 'the run no longer exists' };
      const reminder: ReminderPayload = {
        kind: payload.kind,
        version,
        remindAt: payload.remindAt,
        pickupAt: payload.pickupAt,
        arrivedLate: remindAt < now,
      };
      const id = await recordVersionedEffect(
        tx,
        {
          kind: REMINDER_EFFECTS[payload.kind],
          key: `reminder:${payload.runId}:${payload.kind}`,
          teamId: message.teamId,
          channelId: payload.channelId,
          userId: payload.runnerId,
          runId: payload.runId,
          payload: reminder as unknown as Record<string, unknown>,
          correlationId: message.correlationId,
          dueAt: remindAt,
          // Retried until pickup; a reminder after pickup is no use.
          deadlineAt: new Date(payload.pickupAt),
        },
        'version',
      );
      return { id, reason: id ? 'scheduled' : 'a newer version is already scheduled' };
    },
  );
  if (processed.duplicate) return processed;
  context.logger.info(
    {
      runId: payload.runId,
      kind: payload.kind,
      version,
      remindAt: payload.remindAt,
      outcome: processed.result.reason,
    },
    'reminder scheduled',
  );
  // Due already (scheduled late, or due now): send it at once rather than at the next poll.
  if (processed.result.id && remindAt <= now) await deps.effects.deliver([processed.result.id]);
  return processed;
}
