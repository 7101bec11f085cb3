/** How far ahead "away until" may be set: a year (a longer absence is a leave, not a coffee break). */
export const AWAY_MAX_DAYS = 366;

const DAY_MS = 24 * 60 * 60 * 1000;

export type AwayDecision = { ok: true; awayUntil: string | null } | { ok: false; notice: string };

/**
 * What a date picked in the App Home means, given the person's `today` (`YYYY-MM-DD` on their
 * calendar): today or later, up to {@link AWAY_MAX_DAYS} ahead, is "away until and including";
 * an earlier date or one too far ahead changes nothing and is explained. Pure.
 */
export function decideAwayUntil(picked: string | undefined, today: string): AwayDecision {
  if (!picked || !/^\d{4}-\d{2}-\d{2}$/.test(picked) || Number.isNaN(Date.parse(`${picked}T00:00:00Z`))) {
    return { ok: false, notice: 'Pick a date from the calendar to be away until.' };
  }
  if (picked < today) {
    return { ok: false, notice: `${picked} has passed — pick today or a later day to be away until.` };
  }
  const ahead = (Date.parse(`${picked}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS;
  if (ahead > AWAY_MAX_DAYS) {
    return { ok: false, notice: `Away can be set at most a year ahead; ${picked} is further than that.` };
  }
  return { ok: true, awayUntil: picked };
}
