import { AckBudget } from './ack-budget';

describe('AckBudget', () => {
  it('gives a step the lesser of its cap and what is left, then nothing', async () => {
    let now = 0;
    const budget = new AckBudget(1000, () => now);
    expect(budget.remainingMs()).toBe(1000);
    now = 900;
    expect(budget.remainingMs()).toBe(100);
    now = 1200;
    expect(budget.remainingMs()).toBe(0);
    let ran = false;
    const late = await budget.step(500, async () => {
      ran = true;
      return 1;
    });
    expect(late).toEqual({ ok: false, reason: 'timeout' });
    expect(ran).toBe(false);
  });

  it('returns a value, a failure, or a timeout that aborts the step', async () => {
    const budget = new AckBudget(2000);
    expect(await budget.step(100, async () => 'tz')).toEqual({ ok: true, value: 'tz' });
    const failed = await budget.step(100, async () => {
      throw new Error('ratelimited');
    });
    expect(failed).toMatchObject({ ok: false, reason: 'error', error: { message: 'ratelimited' } });
    let aborted = false;
    const hung = await budget.step(20, (signal) => {
      signal.addEventListener('abort', () => {
        aborted = true;
      });
      return new Promise(() => undefined);
    });
    expect(hung).toEqual({ ok: false, reason: 'timeout' });
    expect(aborted).toBe(true);
  });
});
