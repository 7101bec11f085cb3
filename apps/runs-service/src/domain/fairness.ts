import { createHash } from 'node:crypto';

/**
 * Who fetches the coffee. Among the people who ordered:
 *   0. never someone away (App Home "away until") — unless everyone who ordered is away;
 *   1. fewest runs served in this channel within the fairness window;
 *   2. then the oldest last run (never served comes first);
 *   3. never the previous runner of this channel again straight away — unless they opted in to
 *      repeats, or nobody else ordered;
 *   4. then a deterministic tie-break: a hash of run ID and user ID (stable for a run, but not
 *      always favouring the same people the way sorting by user ID would).
 * Pure: the caller loads the figures; the result records them for the audit trail.
 */

export interface FairnessCandidate {
  userId: string;
  /** Runs this person served in the channel within the window. */
  servedInWindow: number;
  /** Their last run in the channel, any time; null when never. */
  lastRunAt: Date | null;
  /** They agreed to be picked again right after serving. */
  optInRepeat: boolean;
  /** Their "away until" date (`YYYY-MM-DD`) when they are away today (see `isAway`); absent or null when not away. */
  awayUntil?: string | null;
}

export interface FairnessInput {
  runId: string;
  candidates: FairnessCandidate[];
  /** Runner of the channel's previous closed run, if any. */
  previousRunnerId: string | null;
  windowDays: number;
}

export interface AuditedCandidate extends Omit<FairnessCandidate, 'lastRunAt'> {
  lastRunAt: string | null;
  excluded: 'away' | 'previous_runner' | null;
  tieBreak: string;
}

export interface FairnessDecision {
  runnerId: string | null;
  /** One line for the summary: why this person. */
  why: string;
  audit: {
    windowDays: number;
    previousRunnerId: string | null;
    candidates: AuditedCandidate[];
    rule: string;
  };
}

const RULE =
  'nobody away (unless all are), fewest runs served in window, then oldest last run (never first), no immediate repeat unless opted in, then hash(runId, userId)';

export function selectRunner(input: FairnessInput): FairnessDecision {
  const tieBreakOf = (userId: string) =>
    createHash('sha256').update(`${input.runId}:${userId}`).digest('hex').slice(0, 12);
  const away = new Set(input.candidates.filter((c) => c.awayUntil).map((c) => c.userId));
  // Everyone away: somebody still has to fetch the coffee, so nobody is skipped for it.
  const awayExcluded = away.size < input.candidates.length ? away : new Set<string>();
  const present = input.candidates.filter((c) => !awayExcluded.has(c.userId));
  const audited: AuditedCandidate[] = [...input.candidates]
    .sort((a, b) => a.userId.localeCompare(b.userId))
    .map((c) => ({
      ...c,
      lastRunAt: c.lastRunAt?.toISOString() ?? null,
      awayUntil: c.awayUntil ?? null,
      excluded: awayExcluded.has(c.userId)
        ? 'away'
        : c.userId === input.previousRunnerId && !c.optInRepeat && present.length > 1
          ? 'previous_runner'
          : null,
      tieBreak: tieBreakOf(c.userId),
    }));
  const audit = {
    windowDays: input.windowDays,
    previousRunnerId: input.previousRunnerId,
    candidates: audited,
    rule: RULE,
  };
  if (input.candidates.length === 0) return { runnerId: null, why: 'nobody ordered', audit };

  const eligible = input.candidates.filter(
    (c) => audited.find((a) => a.userId === c.userId)?.excluded === null,
  );
  const ranked = [...eligible].sort(
    (a, b) =>
      a.servedInWindow - b.servedInWindow ||
      (a.lastRunAt?.getTime() ?? Number.NEGATIVE_INFINITY) -
        (b.lastRunAt?.getTime() ?? Number.NEGATIVE_INFINITY) ||
      tieBreakOf(a.userId).localeCompare(tieBreakOf(b.userId)),
  );
  const chosen = ranked[0] as FairnessCandidate;
  return { runnerId: chosen.userId, why: explain(chosen, ranked, input, awayExcluded, away), audit };
}

/**
 * The summary's one line of why (shown in the channel, so in the third person): fewest runs
 * served — "among those who could run" when someone who sat out (away, last run's runner) had
 * fewer — then the tie-breaks, then who sat out and why.
 */
function explain(
  chosen: FairnessCandidate,
  ranked: FairnessCandidate[],
  input: FairnessInput,
  skippedAway: Set<string>,
  away: Set<string>,
): string {
  const runs = `${chosen.servedInWindow} run${chosen.servedInWindow === 1 ? '' : 's'} in the last ${input.windowDays} days`;
  if (input.candidates.length === 1) return `the only one who ordered (${runs})`;
  const satOutWithFewer = input.candidates.some(
    (c) => !ranked.includes(c) && c.servedInWindow < chosen.servedInWindow,
  );
  const tied = ranked.filter((c) => c.servedInWindow === chosen.servedInWindow);
  let reason = `fewest runs served${satOutWithFewer ? ' among those who could run' : ''} (${runs})`;
  if (tied.length > 1) {
    const sameLast = tied.filter(
      (c) => (c.lastRunAt?.getTime() ?? null) === (chosen.lastRunAt?.getTime() ?? null),
    );
    reason +=
      chosen.lastRunAt === null
        ? ', and has never done a run here'
        : `, and the longest since their last run (${chosen.lastRunAt.toISOString().slice(0, 10)})`;
    if (sameLast.length > 1) reason += ', then a fair coin toss among equals';
  }
  if (
    input.previousRunnerId &&
    input.previousRunnerId !== chosen.userId &&
    input.candidates.some((c) => c.userId === input.previousRunnerId)
  ) {
    reason += '; last run’s runner sits this one out';
  }
  if (chosen.optInRepeat && input.previousRunnerId === chosen.userId && input.candidates.length > 1) {
    reason += '; ran last time too, and opted in to running again';
  }
  if (skippedAway.size > 0) {
    const n = skippedAway.size;
    reason += `; ${n === 1 ? '1 person who ordered is' : `${n} people who ordered are`} away, so not picked`;
  } else if (away.size > 0 && away.has(chosen.userId)) {
    reason += '; everyone who ordered is away, so away was not counted';
  }
  return reason;
}
