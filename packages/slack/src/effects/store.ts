import type { Db, SlackEffect, Tx } from '@coffeebuddy/db';
import type { ClaimedEffect, EffectInput } from './types';

/**
 * The `slack_effects` table's operations. Claims are conditional updates over
 * `FOR UPDATE SKIP LOCKED` scans, so two deliverers (replicas, or a handler and a poller) never
 * hold the same effect; a claim is a lease, and a claim whose lease lapsed (its holder died) may
 * be taken over — marked `recovering`, so the new holder checks Slack before sending again.
 */

/** How long an effect may go unsent, by default, after it is due. */
export const DEFAULT_EFFECT_WINDOW_MS = 60 * 60 * 1000;

/**
 * Records an effect in the caller's transaction. Recording the same `key` again does nothing —
 * unless `rearm` is set: then the effect is asked for again (a run message that must show a new
 * order): its generation goes up and it becomes due at the new `dueAt`, and a send of an older
 * generation that is in flight leaves it pending, so the last send always shows the latest
 * state. Returns the effect's ID.
 */
export async function recordEffect(
  tx: Tx,
  input: EffectInput,
  options: { rearm?: boolean } = {},
): Promise<string> {
  return (await upsertEffect(
    tx,
    input,
    options.rearm ? { rearm: true, newerField: null } : { rearm: false },
  )) as string;
}

/**
 * Records a versioned effect (a reminder schedule): re-armed like `recordEffect(…, { rearm })`,
 * but only when the payload's integer field `versionField` is greater than the stored one, so a
 * late older version changes nothing. Returns the effect's ID, or null when nothing changed.
 */
export async function recordVersionedEffect(
  tx: Tx,
  input: EffectInput,
  versionField: string,
): Promise<string | null> {
  return upsertEffect(tx, input, { rearm: true, newerField: versionField });
}

async function upsertEffect(
  tx: Tx,
  input: EffectInput,
  options: { rearm: false } | { rearm: true; newerField: string | null },
): Promise<string | null> {
  const dueAt = input.dueAt ?? new Date();
  const deadlineAt = input.deadlineAt ?? new Date(dueAt.getTime() + DEFAULT_EFFECT_WINDOW_MS);
  const payload = JSON.stringify(input.payload ?? {});
  if (!options.rearm) {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO slack_effects (kind, key, team_id, channel_id, user_id, run_id, payload, correlation_id, due_at, deadline_at)
      VALUES (${input.kind}, ${input.key}, ${input.teamId}, ${input.channelId ?? null}, ${input.userId ?? null},
              ${input.runId ?? null}::uuid, ${payload}::jsonb, ${input.correlationId}, ${dueAt}, ${deadlineAt})
      ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
      RETURNING id`;
    return rows[0]?.id ?? null;
  }
  const newer = options.newerField;
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO slack_effects (kind, key, team_id, channel_id, user_id, run_id, payload, correlation_id, due_at, deadline_at)
    VALUES (${input.kind}, ${input.key}, ${input.teamId}, ${input.channelId ?? null}, ${input.userId ?? null},
            ${input.runId ?? null}::uuid, ${payload}::jsonb, ${input.correlationId}, ${dueAt}, ${deadlineAt})
    ON CONFLICT (key) DO UPDATE SET
      generation = slack_effects.generation + 1,
      status = CASE WHEN slack_effects.status = 'sending' THEN 'sending'::slack_effect_status
                    ELSE 'pending'::slack_effect_status END,
      payload = EXCLUDED.payload,
      user_id = EXCLUDED.user_id,
      correlation_id = EXCLUDED.correlation_id,
      requested_at = now(),
      due_at = EXCLUDED.due_at,
      deadline_at = EXCLUDED.deadline_at,
      attempts = CASE WHEN slack_effects.status = 'sending' THEN slack_effects.attempts ELSE 0 END,
      last_error = NULL,
      updated_at = now()
    WHERE ${newer}::text IS NULL
       OR COALESCE((slack_effects.payload ->> ${newer})::int, 0) < COALESCE((EXCLUDED.payload ->> ${newer})::int, 0)
    RETURNING id`;
  return rows[0]?.id ?? null;
}

/** Cancels the effects of a run that are still to be sent (the run is gone or cancelled). */
export async function cancelPendingEffects(tx: Tx, runId: string, kinds: string[]): Promise<number> {
  return tx.$executeRaw`
    UPDATE slack_effects SET status = 'cancelled', last_error = 'run no longer needs it', updated_at = now()
     WHERE run_id = ${runId}::uuid AND status = 'pending' AND kind = ANY(${kinds})`;
}

type ClaimRow = SlackEffect & { was: string };

/** snake_case row from RETURNING → the Prisma model's shape. */
function fromRow(row: Record<string, unknown>): ClaimedEffect {
  return {
    id: row.id as string,
    kind: row.kind as string,
    key: row.key as string,
    teamId: row.team_id as string,
    channelId: (row.channel_id as string | null) ?? null,
    userId: (row.user_id as string | null) ?? null,
    runId: (row.run_id as string | null) ?? null,
    payload: row.payload as SlackEffect['payload'],
    correlationId: row.correlation_id as string,
    status: row.status as SlackEffect['status'],
    generation: row.generation as number,
    attempts: row.attempts as number,
    requestedAt: row.requested_at as Date,
    dueAt: row.due_at as Date,
    deadlineAt: row.deadline_at as Date,
    leaseUntil: (row.lease_until as Date | null) ?? null,
    claimedBy: (row.claimed_by as string | null) ?? null,
    outcomeUnknown: row.outcome_unknown as boolean,
    lastError: (row.last_error as string | null) ?? null,
    slackChannel: (row.slack_channel as string | null) ?? null,
    slackTs: (row.slack_ts as string | null) ?? null,
    result: (row.result as SlackEffect['result']) ?? null,
    sentAt: (row.sent_at as Date | null) ?? null,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    recovering: row.was === 'sending' || row.outcome_unknown === true,
  };
}

/**
 * Claims up to `limit` due effects of the given kinds — pending ones whose time has come, and
 * ones whose claim lapsed — for `leaseMs`. Oldest due first.
 */
export async function claimDue(
  db: Db,
  kinds: string[],
  claimer: string,
  leaseMs: number,
  limit: number,
): Promise<ClaimedEffect[]> {
  const rows = await db.$queryRaw<Array<ClaimRow & Record<string, unknown>>>`
    WITH due AS (
      SELECT id, status AS was FROM slack_effects
       WHERE kind = ANY(${kinds})
         AND ((status = 'pending' AND due_at <= now()) OR (status = 'sending' AND lease_until < now()))
       ORDER BY due_at
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED)
    UPDATE slack_effects e
       SET status = 'sending', attempts = e.attempts + 1, claimed_by = ${claimer},
           lease_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
      FROM due WHERE e.id = due.id
    RETURNING e.*, due.was`;
  return rows.map(fromRow);
}

/** Claims these effects if they are due and nobody holds them (a handler delivering its own). */
export async function claimByIds(
  db: Db,
  ids: string[],
  claimer: string,
  leaseMs: number,
): Promise<ClaimedEffect[]> {
  if (ids.length === 0) return [];
  const rows = await db.$queryRaw<Array<ClaimRow & Record<string, unknown>>>`
    WITH due AS (
      SELECT id, status AS was FROM slack_effects
       WHERE id = ANY(${ids}::uuid[])
         AND ((status = 'pending' AND due_at <= now()) OR (status = 'sending' AND lease_until < now()))
       FOR UPDATE SKIP LOCKED)
    UPDATE slack_effects e
       SET status = 'sending', attempts = e.attempts + 1, claimed_by = ${claimer},
           lease_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
      FROM due WHERE e.id = due.id
    RETURNING e.*, due.was`;
  return rows.map(fromRow);
}

/**
 * Marks a claimed effect sent, if this claimer still holds it. When the effect was asked for
 * again while this send was in flight (its generation moved on), it becomes pending instead, due
 * when the new request said, and `rearmed` says so: the caller delivers it again if it is due.
 */
export async function markSent(
  tx: Tx,
  effect: ClaimedEffect,
  claimer: string,
  sent: { channel: string | null; ts: string[] },
): Promise<{ held: boolean; rearmed: boolean }> {
  const rows = await tx.$queryRaw<{ generation: number }[]>`
    UPDATE slack_effects
       SET status = CASE WHEN generation = ${effect.generation} THEN 'sent'::slack_effect_status
                         ELSE 'pending'::slack_effect_status END,
           attempts = CASE WHEN generation = ${effect.generation} THEN attempts ELSE 0 END,
           sent_at = now(), lease_until = NULL, outcome_unknown = false, last_error = NULL,
           slack_channel = ${sent.channel}, slack_ts = ${sent.ts[0] ?? null},
           result = ${JSON.stringify({ ts: sent.ts })}::jsonb, updated_at = now()
     WHERE id = ${effect.id}::uuid AND status = 'sending' AND claimed_by = ${claimer}
    RETURNING generation`;
  const row = rows[0];
  return { held: row !== undefined, rearmed: row !== undefined && row.generation !== effect.generation };
}

/**
 * Puts a claimed effect back for another attempt at `dueAt`, keeping what the attempt learned:
 * the error, whether Slack may have acted (`outcomeUnknown`), the parts already posted.
 */
export async function markRetry(
  db: Db,
  effect: ClaimedEffect,
  claimer: string,
  retry: { dueAt: Date; error: string; outcomeUnknown: boolean; postedTs: string[]; countAttempt: boolean },
): Promise<void> {
  await db.$executeRaw`
    UPDATE slack_effects
       SET status = 'pending', due_at = ${retry.dueAt}, lease_until = NULL, last_error = ${retry.error},
           outcome_unknown = outcome_unknown OR ${retry.outcomeUnknown},
           attempts = CASE WHEN ${retry.countAttempt} THEN attempts ELSE GREATEST(attempts - 1, 0) END,
           result = ${JSON.stringify({ ts: retry.postedTs })}::jsonb, updated_at = now()
     WHERE id = ${effect.id}::uuid AND status = 'sending' AND claimed_by = ${claimer}`;
}

/**
 * Ends a claimed effect that failed for good (or is no longer needed: `cancelled`), if this
 * claimer still holds it. When it was asked for again while this attempt was in flight (its
 * generation moved on: a newer reminder version, a refresh), the attempt's verdict was about the
 * older request: it becomes pending instead, with a fresh attempt budget, and `ended` is false.
 * `ended` true means the status given was recorded.
 */
export async function markEnded(
  tx: Tx,
  effect: ClaimedEffect,
  claimer: string,
  end: { status: 'failed' | 'cancelled'; error: string },
): Promise<{ held: boolean; ended: boolean; rearmed: boolean }> {
  const rows = await tx.$queryRaw<{ generation: number }[]>`
    UPDATE slack_effects
       SET status = CASE WHEN generation = ${effect.generation} THEN ${end.status}::slack_effect_status
                         ELSE 'pending'::slack_effect_status END,
           attempts = CASE WHEN generation = ${effect.generation} THEN attempts ELSE 0 END,
           lease_until = NULL,
           last_error = CASE WHEN generation = ${effect.generation} THEN ${end.error} ELSE NULL END,
           updated_at = now()
     WHERE id = ${effect.id}::uuid AND status = 'sending' AND claimed_by = ${claimer}
    RETURNING generation`;
  const row = rows[0];
  const rearmed = row !== undefined && row.generation !== effect.generation;
  return { held: row !== undefined, ended: row !== undefined && !rearmed, rearmed };
}

/** Pending and in-flight effects per kind, and how long the oldest has been due (for metrics). */
export async function backlog(
  db: Db,
  kinds: string[],
): Promise<{ kind: string; pending: number; oldestAgeSeconds: number }[]> {
  const rows = await db.$queryRaw<{ kind: string; pending: bigint; oldest: number | null }[]>`
    SELECT kind, count(*) AS pending, EXTRACT(EPOCH FROM now() - min(due_at))::float8 AS oldest
      FROM slack_effects
     WHERE status IN ('pending', 'sending') AND kind = ANY(${kinds}) AND due_at <= now()
     GROUP BY kind`;
  return rows.map((r) => ({ kind: r.kind, pending: Number(r.pending), oldestAgeSeconds: r.oldest ?? 0 }));
}

/**
 * Asks again for failed (or cancelled) effects, for an operator once the cause is fixed: pending,
 * due now, a fresh attempt budget and deadline (`windowMs` from now). The earlier outcome is kept
 * as unknown, so a post is looked for in the channel before it is sent again. Returns how many.
 */
export async function redriveEffects(
  db: Db,
  select: { ids?: string[]; failedKind?: string; allFailed?: boolean },
  windowMs = DEFAULT_EFFECT_WINDOW_MS,
): Promise<number> {
  const deadline = new Date(Date.now() + windowMs);
  if (select.ids && select.ids.length > 0) {
    return db.$executeRaw`
      UPDATE slack_effects SET status = 'pending', due_at = now(), deadline_at = ${deadline}, attempts = 0,
             lease_until = NULL, outcome_unknown = true, requested_at = now(), updated_at = now()
       WHERE id = ANY(${select.ids}::uuid[]) AND status IN ('failed', 'cancelled')`;
  }
  if (select.allFailed || select.failedKind) {
    return db.$executeRaw`
      UPDATE slack_effects SET status = 'pending', due_at = now(), deadline_at = ${deadline}, attempts = 0,
             lease_until = NULL, outcome_unknown = true, requested_at = now(), updated_at = now()
       WHERE status = 'failed' AND (${select.failedKind ?? null}::text IS NULL OR kind = ${select.failedKind ?? null})`;
  }
  return 0;
}
