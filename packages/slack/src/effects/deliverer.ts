import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { backoffDelay, type Db, withTransaction } from '@coffeebuddy/db';
import type { PollerDefinition } from '@coffeebuddy/service-kit';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SlackActions } from '../slack-actions';
import { classifyAttemptError } from './classify';
import { EFFECT_METADATA_TYPE, findPostedParts } from './recovery';
import { backlog, claimByIds, claimDue, markEnded, markRetry, markSent } from './store';
import type { ClaimedEffect, EffectFailure, EffectKinds, RenderedCall, SentResult } from './types';

export interface EffectDelivererOptions {
  db: Db;
  slack: SlackActions;
  /** The kinds this deliverer handles; it never claims others. */
  kinds: EffectKinds;
  logger: Logger;
  metricsRegistry: Registry;
  /** How long a claim holds (ms). Longer than one attempt can take; a dead holder's effects wait this long. */
  leaseMs?: number;
  /** How often due effects are looked for (ms), besides the handlers' own deliveries. */
  intervalMs?: number;
  /** Effects claimed per scan. */
  batchSize?: number;
  /** Effects sent at the same time. */
  concurrency?: number;
  /** Exponential backoff with jitter between attempts (ms). */
  backoff?: { initialDelayMs: number; maxDelayMs: number };
}

export interface EffectDeliverer {
  /**
   * Delivers these effects now, if they are due and nobody holds them — what a handler calls
   * right after committing the change that recorded them, for latency. Never throws: an effect
   * it cannot deliver stays recorded and is retried by the poller.
   */
  deliver(ids: string[]): Promise<void>;
  /** Claims and delivers due effects once; returns how many it claimed. */
  runOnce(): Promise<number>;
  /** The poller for the worker harness (runs `runOnce` until nothing is due, every `intervalMs`). */
  poller: PollerDefinition;
}

/** The name of the deliverer's poller in the worker harness. */
export const SLACK_EFFECTS_POLLER = 'slack-effects';

const SLACK_TS_SKEW_SECONDS = 5;

/**
 * The one mechanism by which services call Slack after a state change (DESIGN §9): claim,
 * render from the current state, send, record. See README "Slack effects" for the guarantees.
 */
export function createEffectDeliverer(options: EffectDelivererOptions): EffectDeliverer {
  const { db, slack, kinds, logger } = options;
  const kindNames = Object.keys(kinds);
  const claimer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const batchSize = options.batchSize ?? 20;
  const concurrency = options.concurrency ?? 8;
  const backoff = options.backoff ?? { initialDelayMs: 500, maxDelayMs: 30_000 };
  const metrics = effectMetrics(options.metricsRegistry, db, kindNames, logger);

  async function deliverOne(effect: ClaimedEffect): Promise<void> {
    const log = logger.child({
      correlationId: effect.correlationId,
      effectId: effect.id,
      kind: effect.kind,
      ...(effect.runId ? { runId: effect.runId } : {}),
    });
    const kind = kinds[effect.kind];
    if (!kind) {
      await end(effect, log, 'failed', { code: 'unknown_kind', message: `no deliverer for ${effect.kind}` });
      return;
    }
    if (Date.now() > effect.deadlineAt.getTime()) {
      await expire(effect, log, `not delivered by ${effect.deadlineAt.toISOString()}`);
      return;
    }
    const posted: string[] = ((effect.result as { ts?: string[] } | null)?.ts ?? []).slice();
    let rendered: RenderedCall;
    try {
      rendered = await kind.render({ db, slack, logger: log }, effect);
      if ('skip' in rendered) {
        await end(effect, log, 'cancelled', { code: rendered.outcome ?? 'skipped', message: rendered.skip });
        return;
      }
      if ('defer' in rendered) {
        const dueAt = new Date(Date.now() + rendered.defer);
        if (dueAt > effect.deadlineAt) {
          await expire(effect, log, rendered.reason);
          return;
        }
        await markRetry(db, effect, claimer, {
          dueAt,
          error: `deferred: ${rendered.reason}`,
          outcomeUnknown: false,
          postedTs: posted,
          countAttempt: false,
        });
        metrics.total.inc({ kind: effect.kind, outcome: 'deferred', error: '' });
        return;
      }
      metrics.dispatch.observe({ kind: effect.kind }, (Date.now() - effect.requestedAt.getTime()) / 1000);
      const sent = await send(effect, rendered, posted, log);
      const outcome = await withTransaction(db, async (tx) => {
        const marked = await markSent(tx, effect, claimer, { channel: sent.channel ?? null, ts: sent.ts });
        if (marked.held) await kind.onSent?.(tx, effect, sent);
        return marked;
      });
      if (!outcome.held) {
        log.warn('the claim lapsed while sending; whoever took it over checks Slack before sending again');
        return;
      }
      metrics.total.inc({ kind: effect.kind, outcome: sent.recovered ? 'recovered' : 'sent', error: '' });
      metrics.delivery.observe({ kind: effect.kind }, (Date.now() - effect.requestedAt.getTime()) / 1000);
      log.info(
        { ts: sent.ts[0], channel: sent.channel, attempts: effect.attempts, recovered: sent.recovered },
        sent.recovered ? 'Slack effect found already delivered' : 'Slack effect delivered',
      );
      if (outcome.rearmed) await deliver([effect.id]); // no-op unless it is due already
    } catch (error) {
      await failedAttempt(effect, error, posted, log);
    }
  }

  /** Makes the Slack call(s). `posted` collects the ts of each message posted, as they go. */
  async function send(
    effect: ClaimedEffect,
    rendered: Exclude<RenderedCall, { skip: string } | { defer: number }>,
    posted: string[],
    log: Logger,
  ): Promise<SentResult> {
    const team = effect.teamId;
    switch (rendered.call) {
      case 'post': {
        const channel = rendered.dm ? await slack.openDm(team, rendered.channel) : rendered.channel;
        let recovered = false;
        if (effect.recovering && posted.length < rendered.messages.length) {
          // An earlier attempt may have posted without our hearing back: look before posting again.
          const since = Math.floor(effect.createdAt.getTime() / 1000) - SLACK_TS_SKEW_SECONDS;
          const found = await findPostedParts(slack, team, channel, effect.id, since, log);
          for (let part = posted.length; found.has(part); part++) {
            posted.push(found.get(part) as string);
            recovered = true;
          }
        }
        for (let part = posted.length; part < rendered.messages.length; part++) {
          const message = rendered.messages[part] as (typeof rendered.messages)[number];
          posted.push(
            await slack.postMessage(team, channel, message, {
              event_type: EFFECT_METADATA_TYPE,
              event_payload: { effect_id: effect.id, part },
            }),
          );
        }
        return { channel, ts: posted, recovered };
      }
      case 'update':
        await slack.updateMessage(team, rendered.channel, rendered.ts, rendered.message);
        return { channel: rendered.channel, ts: [rendered.ts], recovered: false };
      case 'publish_home':
        await slack.publishHome(team, rendered.userId, rendered.view);
        return { ts: [], recovered: false };
      case 'tell':
        if (rendered.responseUrl) await slack.respond(rendered.responseUrl, rendered.text);
        else await slack.postEphemeral(team, rendered.channel, rendered.userId, rendered.text);
        return { channel: rendered.channel, ts: [], recovered: false };
    }
  }

  async function failedAttempt(effect: ClaimedEffect, error: unknown, posted: string[], log: Logger) {
    const failure = classifyAttemptError(error);
    if (!failure.transient) {
      await end(effect, log, 'failed', { code: failure.code, message: failure.message });
      return;
    }
    const delay = failure.retryAfterMs ?? backoffDelay({ maxAttempts: 0, ...backoff }, effect.attempts);
    const dueAt = new Date(Date.now() + delay);
    if (dueAt > effect.deadlineAt) {
      await end(effect, log, 'failed', {
        code: 'deadline_exceeded',
        message: `still failing at its deadline: ${failure.code} (${failure.message})`,
      });
      return;
    }
    try {
      await markRetry(db, effect, claimer, {
        dueAt,
        error: `${failure.code}: ${failure.message}`.slice(0, 1_000),
        outcomeUnknown: failure.outcomeUnknown,
        postedTs: posted,
        countAttempt: true,
      });
    } catch (recordError) {
      log.warn(
        { err: (recordError as Error).message },
        'could not record the retry; the claim lapses and it is retried',
      );
    }
    metrics.total.inc({ kind: effect.kind, outcome: 'retried', error: failure.code });
    log.warn(
      { err: failure.message, code: failure.code, attempt: effect.attempts, nextInMs: delay },
      'Slack effect failed; retrying',
    );
  }

  /** An effect past its deadline: failed, or — never tried, and its kind says so — skipped. */
  async function expire(effect: ClaimedEffect, log: Logger, why: string): Promise<void> {
    const neverTried = !effect.lastError || effect.lastError.startsWith('deferred:');
    const outcome = kinds[effect.kind]?.expiredOutcome;
    if (outcome && neverTried) {
      await end(effect, log, 'cancelled', {
        code: outcome,
        message: `its deadline passed before it could be sent (${why})`,
      });
      return;
    }
    await end(effect, log, 'failed', {
      code: 'deadline_exceeded',
      message: `${why}${effect.lastError ? ` (last error: ${effect.lastError})` : ''}`,
    });
  }

  /** Records a final outcome and, for failures, runs the kind's rule in the same transaction. */
  async function end(
    effect: ClaimedEffect,
    log: Logger,
    status: 'failed' | 'cancelled',
    failure: EffectFailure,
  ): Promise<void> {
    let rearmed = false;
    try {
      await withTransaction(db, async (tx) => {
        const outcome = await markEnded(tx, effect, claimer, {
          status,
          error: `${failure.code}: ${failure.message}`.slice(0, 1_000),
        });
        rearmed = outcome.rearmed;
        // Asked for again while this attempt ran: the verdict was about the older request.
        if (!outcome.ended) return;
        if (status === 'failed') await kinds[effect.kind]?.onFailed?.(tx, effect, failure);
        if (status === 'cancelled') {
          await kinds[effect.kind]?.onSkipped?.(tx, effect, {
            reason: failure.message,
            ...(failure.code !== 'skipped' ? { outcome: failure.code } : {}),
          });
        }
      });
    } catch (error) {
      log.warn(
        { err: (error as Error).message },
        'could not record the outcome; the claim lapses and it is retried',
      );
      return;
    }
    if (rearmed) {
      log.info(
        { outcome: status, reason: failure.message },
        'Slack effect asked for again while this attempt ran; sending the newer request',
      );
      await deliver([effect.id]); // no-op unless it is due already
      return;
    }
    metrics.total.inc({ kind: effect.kind, outcome: status, error: status === 'failed' ? failure.code : '' });
    if (status === 'failed')
      log.error(
        { code: failure.code, err: failure.message, attempts: effect.attempts },
        'Slack effect failed',
      );
    else log.info({ reason: failure.message }, 'Slack effect no longer needed');
  }

  async function deliverAll(effects: ClaimedEffect[]): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < effects.length) {
        const effect = effects[next++] as ClaimedEffect;
        await deliverOne(effect);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, effects.length) }, lane));
  }

  async function deliver(ids: string[]): Promise<void> {
    try {
      await deliverAll(await claimByIds(db, ids, claimer, leaseMs));
    } catch (error) {
      logger.warn(
        { err: (error as Error).message, effects: ids },
        'could not deliver effects now; the poller retries them',
      );
    }
  }

  async function runOnce(): Promise<number> {
    const claimed = await claimDue(db, kindNames, claimer, leaseMs, batchSize);
    await deliverAll(claimed);
    return claimed.length;
  }

  return {
    deliver,
    runOnce,
    poller: {
      name: SLACK_EFFECTS_POLLER,
      intervalMs: options.intervalMs ?? 500,
      run: async () => {
        while ((await runOnce()) === batchSize) {}
      },
    },
  };
}

/** The metrics of DESIGN §9: sent, retried, failed by kind and Slack error; backlog and its age. */
function effectMetrics(registry: Registry, db: Db, kinds: string[], logger: Logger) {
  const total = new Counter({
    name: 'coffeebuddy_slack_effects_total',
    help: 'Slack effect attempts by kind and outcome (sent, recovered, retried, deferred, failed, cancelled) and Slack error.',
    labelNames: ['kind', 'outcome', 'error'],
    registers: [registry],
  });
  const dispatch = new Histogram({
    name: 'coffeebuddy_slack_effect_dispatch_seconds',
    help: 'From the change that asked for an effect to its Slack call starting.',
    labelNames: ['kind'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const delivery = new Histogram({
    name: 'coffeebuddy_slack_effect_delivery_seconds',
    help: 'From the change that asked for an effect to Slack having it (retries included).',
    labelNames: ['kind'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  // Backlog figures come from the table itself when Prometheus scrapes: every replica reports the
  // same shared queue, for the kinds it delivers.
  let sampled: Promise<{ kind: string; pending: number; oldestAgeSeconds: number }[]> | undefined;
  const sample = () => {
    sampled ??= backlog(db, kinds)
      .catch((error: Error) => {
        logger.warn({ err: error.message }, 'cannot read the Slack effects backlog');
        return [];
      })
      .finally(() => setTimeout(() => (sampled = undefined), 1_000).unref());
    return sampled;
  };
  new Gauge({
    name: 'coffeebuddy_slack_effects_pending',
    help: 'Slack effects due and not yet delivered, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const rows = await sample();
      for (const kind of kinds) this.set({ kind }, rows.find((r) => r.kind === kind)?.pending ?? 0);
    },
  });
  new Gauge({
    name: 'coffeebuddy_slack_effects_oldest_pending_age_seconds',
    help: 'How long the oldest due, undelivered Slack effect has been due, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const rows = await sample();
      for (const kind of kinds) this.set({ kind }, rows.find((r) => r.kind === kind)?.oldestAgeSeconds ?? 0);
    },
  });
  return { total, dispatch, delivery };
}
