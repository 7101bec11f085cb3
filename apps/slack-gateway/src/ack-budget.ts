import { performance } from 'node:perf_hooks';

/** A step's outcome: its value, or why there is none (it ran out of time, or it failed). */
export type StepResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'timeout' | 'error'; error?: Error };

/**
 * One request's time to answer Slack (ACK_BUDGET_MS, ≤ 2 s of Slack's 3 s), shared by every step
 * that request takes. A step gets the lesser of its own cap and what is left, so however the
 * steps are configured or however slow they are, the answer is never late: a step that runs out
 * of time resolves as `timeout` (its signal is aborted) and the request answers with what it has.
 */
export class AckBudget {
  private readonly deadline: number;

  constructor(
    totalMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.deadline = clock() + totalMs;
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.deadline - this.clock());
  }

  /**
   * Runs `work` for at most `capMs` and at most what is left of the budget. Never throws: a
   * failure is `{ ok: false, reason: 'error', error }`.
   */
  async step<T>(capMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<StepResult<T>> {
    const allowed = Math.min(capMs, this.remainingMs());
    if (allowed <= 0) return { ok: false, reason: 'timeout' };
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<StepResult<T>>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`step took longer than ${allowed} ms`));
        resolve({ ok: false, reason: 'timeout' });
      }, allowed);
    });
    const attempt = (async (): Promise<StepResult<T>> => {
      try {
        return { ok: true, value: await work(controller.signal) };
      } catch (error) {
        return { ok: false, reason: 'error', error: error as Error };
      }
    })();
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
