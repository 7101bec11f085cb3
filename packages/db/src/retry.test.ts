import { backoffDelay } from './retry';

describe('backoffDelay', () => {
  const policy = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1_000 };
  it('doubles, stays within [ceiling/2, ceiling], and is capped', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, () => 1)).toBe(400);
    expect(backoffDelay(policy, 3, () => 0)).toBe(200);
    expect(backoffDelay(policy, 20, () => 1)).toBe(1_000);
  });
});
