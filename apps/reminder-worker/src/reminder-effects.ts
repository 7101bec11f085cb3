import { createMessage, TOPICS } from '@coffeebuddy/contracts';
import { enqueueOutbox } from '@coffeebuddy/service-kit';
import {
  buildLastCall,
  buildRunnerReminder,
  type ClaimedEffect,
  type EffectKind,
  type EffectKinds,
} from '@coffeebuddy/slack';
import { Counter, Histogram, type Registry } from 'prom-client';
import { decideReminder, LATE_AFTER_MS, type ReminderKind } from './domain/decide';

/** The effect kinds of reminders, and what their payload holds (written by the schedule handler). */
export const REMINDER_EFFECTS: Record<ReminderKind, string> = {
  runner: 'reminder_runner',
  last_call: 'reminder_last_call',
};

export interface ReminderPayload {
  kind: ReminderKind;
  version: number;
  remindAt: string;
  pickupAt: string;
  /** The schedule reached the worker after its time had come (the worker or Kafka was down). */
  arrivedLate: boolean;
}

export const payloadOf = (effect: ClaimedEffect): ReminderPayload =>
  effect.payload as unknown as ReminderPayload;

/**
 * Runner reminders and last calls as Slack effects: at their time they look at the run and the
 * channel as they are (`decideReminder`), then send, wait for the close, or record why not.
 * Outcomes go out as `reminder_sent` / `reminder_failed` events (in the same transaction as the
 * outcome) and as metrics: `coffeebuddy_reminders_total{kind,outcome}` (sent, late, failed,
 * stale, cancelled, skipped, missed) and `coffeebuddy_reminder_lateness_seconds{kind}`.
 */
export function reminderEffectKinds(options: {
  metricsRegistry: Registry;
  waitForCloseMs: number;
}): EffectKinds {
  const total = new Counter({
    name: 'coffeebuddy_reminders_total',
    help: 'Reminders by kind and outcome: sent, late (sent more than a minute after due, or scheduled after its time), failed, stale (a newer version replaced it), cancelled, skipped (channel disabled, reminders or last calls off, run closed), missed (pickup passed).',
    labelNames: ['kind', 'outcome'],
    registers: [options.metricsRegistry],
  });
  const lateness = new Histogram({
    name: 'coffeebuddy_reminder_lateness_seconds',
    help: 'How long after its due time a reminder reached Slack.',
    labelNames: ['kind'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [options.metricsRegistry],
  });

  const kind = (reminderKind: ReminderKind): EffectKind => ({
    // The deadline is the pickup time: a reminder not sent by then (the worker was down, the run
    // never closed) is missed, not failed — unless Slack kept failing it (then reminder_failed).
    expiredOutcome: 'missed',
    async render({ db, logger }, effect) {
      const payload = payloadOf(effect);
      const run = await db.run.findUnique({ where: { id: effect.runId ?? '' }, include: { channel: true } });
      const decision = decideReminder(
        { kind: reminderKind, version: payload.version, remindAt: new Date(payload.remindAt) },
        { run, channel: run?.channel ?? null },
        new Date(),
      );
      if (decision.action === 'skip') return { skip: decision.reason, outcome: decision.outcome };
      if (decision.action === 'wait') return { defer: options.waitForCloseMs, reason: decision.reason };
      if (!run?.pickupAt) return { skip: 'the run has no pickup time', outcome: 'missed' };
      const now = new Date();
      if (decision.kind === 'last_call') {
        return {
          call: 'post',
          channel: run.channelId,
          messages: [buildLastCall({ ...run, pickupAt: run.pickupAt }, now)],
        };
      }
      logger.debug({ runnerId: decision.runnerId }, 'sending the runner reminder');
      const orders = (run.orderSnapshot as { userId: string; text: string }[] | null) ?? [];
      return {
        call: 'post',
        channel: decision.runnerId ?? '',
        dm: true,
        messages: buildRunnerReminder({ ...run, pickupAt: run.pickupAt, orders }, now),
      };
    },
    async onSent(tx, effect) {
      const payload = payloadOf(effect);
      const sentAt = new Date();
      const lateByMs = sentAt.getTime() - new Date(payload.remindAt).getTime();
      const late = payload.arrivedLate || lateByMs > LATE_AFTER_MS;
      await enqueueOutbox(
        tx,
        'reminder-worker',
        TOPICS.reminderEvents,
        createMessage('reminder_sent', contextOf(effect), {
          runId: effect.runId ?? '',
          kind: reminderKind,
          remindAt: payload.remindAt,
          sentAt: sentAt.toISOString(),
          lateByMs: Math.round(lateByMs),
          late,
        }),
      );
      total.inc({ kind: reminderKind, outcome: late ? 'late' : 'sent' });
      lateness.observe({ kind: reminderKind }, Math.max(0, lateByMs) / 1000);
    },
    async onFailed(tx, effect, failure) {
      const payload = payloadOf(effect);
      await enqueueOutbox(
        tx,
        'reminder-worker',
        TOPICS.reminderEvents,
        createMessage('reminder_failed', contextOf(effect), {
          runId: effect.runId ?? '',
          kind: reminderKind,
          remindAt: payload.remindAt,
          attempts: Math.max(1, effect.attempts),
          error: `${failure.code}: ${failure.message}`.slice(0, 2_000),
        }),
      );
      total.inc({ kind: reminderKind, outcome: 'failed' });
    },
    async onSkipped(_tx, _effect, skip) {
      total.inc({ kind: reminderKind, outcome: skip.outcome ?? 'skipped' });
    },
  });

  return { [REMINDER_EFFECTS.runner]: kind('runner'), [REMINDER_EFFECTS.last_call]: kind('last_call') };
}

/** Who and where an outcome event is about: the run's correlation ID, its channel, the runner. */
const contextOf = (effect: ClaimedEffect) => ({
  correlationId: effect.correlationId,
  teamId: effect.teamId,
  channelId: effect.channelId ?? '',
  userId: effect.userId,
});
