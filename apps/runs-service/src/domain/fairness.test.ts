import { isAway, localDate } from '@coffeebuddy/contracts';
import { type FairnessCandidate, selectRunner } from './fairness';

const runId = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
const day = (d: string) => new Date(`${d}T09:00:00Z`);
const candidate = (
  userId: string,
  servedInWindow: number,
  lastRunAt: Date | null,
  optInRepeat = false,
): FairnessCandidate => ({
  userId,
  servedInWindow,
  lastRunAt,
  optInRepeat,
});
const away = (c: FairnessCandidate, until = '2026-12-10'): FairnessCandidate => ({ ...c, awayUntil: until });
const select = (candidates: FairnessCandidate[], previousRunnerId: string | null = null) =>
  selectRunner({ runId, candidates, previousRunnerId, windowDays: 30 });

describe('selectRunner', () => {
  it.each([
    [
      'fewest runs served wins',
      [candidate('U1', 2, day('2026-11-01')), candidate('U2', 1, day('2026-11-20'))],
      null,
      'U2',
    ],
    [
      'a tie goes to the oldest last run',
      [candidate('U1', 1, day('2026-11-10')), candidate('U2', 1, day('2026-11-02'))],
      null,
      'U2',
    ],
    [
      'never served beats any last run',
      [candidate('U1', 0, day('2026-09-01')), candidate('U2', 0, null)],
      null,
      'U2',
    ],
    [
      'the previous runner is skipped',
      [candidate('U1', 0, day('2026-11-24')), candidate('U2', 3, day('2026-11-01'))],
      'U1',
      'U2',
    ],
    [
      'unless they opted in to repeats',
      [candidate('U1', 0, day('2026-11-24'), true), candidate('U2', 3, day('2026-11-01'))],
      'U1',
      'U1',
    ],
    ['or nobody else ordered', [candidate('U1', 5, day('2026-11-24'))], 'U1', 'U1'],
    ['one participant runs', [candidate('U7', 9, day('2026-11-24'))], null, 'U7'],
    // Runs served outside the window do not count: the caller passes servedInWindow, so a
    // person with many old runs but none recent ties with a newcomer on count.
    [
      'window edges: old runs do not count',
      [candidate('U1', 0, day('2026-01-01')), candidate('U2', 1, day('2026-11-20'))],
      null,
      'U1',
    ],
  ])('%s', (_name, candidates, previous, expected) => {
    expect(select(candidates as FairnessCandidate[], previous as string | null).runnerId).toBe(expected);
  });

  it('closes without a runner when nobody ordered', () => {
    const decision = select([]);
    expect(decision.runnerId).toBeNull();
    expect(decision.why).toBe('nobody ordered');
  });

  it('breaks a full tie deterministically for the run, whatever the input order', () => {
    const a = [candidate('U1', 0, null), candidate('U2', 0, null), candidate('U3', 0, null)];
    const first = select(a).runnerId;
    expect(select([...a].reverse()).runnerId).toBe(first);
    expect(select([a[1], a[2], a[0]] as FairnessCandidate[]).runnerId).toBe(first);
    // Another run may pick someone else: not always the lowest user ID.
    const picks = new Set(
      Array.from(
        { length: 20 },
        (_, i) =>
          selectRunner({ runId: `run-${i}`, candidates: a, previousRunnerId: null, windowDays: 30 }).runnerId,
      ),
    );
    expect(picks.size).toBeGreaterThan(1);
  });

  it('records every candidate and its figures for the audit, and explains the choice', () => {
    const decision = select(
      [
        candidate('U2', 1, day('2026-11-02')),
        candidate('U1', 1, day('2026-11-10')),
        candidate('U3', 0, day('2026-11-24')),
      ],
      'U3',
    );
    expect(decision.runnerId).toBe('U2');
    expect(decision.audit.candidates.map((c) => [c.userId, c.servedInWindow, c.excluded])).toEqual([
      ['U1', 1, null],
      ['U2', 1, null],
      ['U3', 0, 'previous_runner'],
    ]);
    expect(decision.audit.previousRunnerId).toBe('U3');
    expect(decision.why).toMatch(
      /fewest runs served among those who could run \(1 run in the last 30 days\), and the longest since their last run \(2026-11-02\); last run’s runner sits this one out/,
    );
  });

  it.each([
    [
      'someone away is never picked',
      [away(candidate('U1', 0, null)), candidate('U2', 4, day('2026-11-20'))],
      null,
      'U2',
    ],
    [
      'everyone away: away is not counted, fewest runs wins',
      [away(candidate('U1', 2, day('2026-11-01'))), away(candidate('U2', 1, day('2026-11-20')))],
      null,
      'U2',
    ],
    [
      'away and the previous runner both sit out',
      [
        candidate('U1', 0, day('2026-11-24')),
        away(candidate('U2', 0, null)),
        candidate('U3', 5, day('2026-10-01')),
      ],
      'U1',
      'U3',
    ],
    [
      'the previous runner runs again when the only other person is away',
      [candidate('U1', 3, day('2026-11-24')), away(candidate('U2', 0, null))],
      'U1',
      'U1',
    ],
    [
      'opted in to repeats: picked again straight after serving',
      [candidate('U1', 0, day('2026-11-24'), true), candidate('U2', 1, day('2026-11-01'))],
      'U1',
      'U1',
    ],
  ])('%s', (_name, candidates, previous, expected) => {
    expect(select(candidates as FairnessCandidate[], previous as string | null).runnerId).toBe(expected);
  });

  it('says why: who is away, who opted in', () => {
    const skipped = select([away(candidate('U1', 0, null)), candidate('U2', 1, day('2026-11-01'))]);
    expect(skipped.audit.candidates.map((c) => [c.userId, c.excluded, c.awayUntil])).toEqual([
      ['U1', 'away', '2026-12-10'],
      ['U2', null, null],
    ]);
    expect(skipped.why).toMatch(/1 person who ordered is away, so not picked$/);
    // U1 (away) had fewer runs than U2: U2 had the fewest of those who could run, not of all.
    expect(skipped.why).toMatch(/^fewest runs served among those who could run \(1 run/);
    const single = select([candidate('U5', 2, null)]);
    expect(single.why).toBe('the only one who ordered (2 runs in the last 30 days)');
    const allAway = select([away(candidate('U1', 0, null)), away(candidate('U2', 1, null))]);
    expect(allAway.why).toMatch(/everyone who ordered is away/);
    const repeat = select([candidate('U1', 0, day('2026-11-24'), true), candidate('U2', 1, null)], 'U1');
    expect(repeat.why).toMatch(/ran last time too, and opted in to running again/);
  });
});

describe('away until', () => {
  it.each([
    ['2026-12-10', '2026-12-09', true],
    ['2026-12-10', '2026-12-10', true],
    ['2026-12-10', '2026-12-11', false],
    [null, '2026-12-10', false],
  ])('away until %s, today %s → away %s', (until, today, expected) => {
    expect(isAway(until, today)).toBe(expected);
  });

  it('reads today on the person’s calendar', () => {
    // 23:30 UTC on 10 December is already the 11th in Berlin, still the 10th in New York.
    const now = new Date('2026-12-10T23:30:00Z');
    expect(localDate(now, 'Europe/Berlin')).toBe('2026-12-11');
    expect(localDate(now, 'America/New_York')).toBe('2026-12-10');
    expect(localDate(now, null)).toBe('2026-12-10');
    expect(localDate(now, 'Not/AZone')).toBe('2026-12-10');
  });
});
