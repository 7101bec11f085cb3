/**
 * Calendar dates as people mean them ("away until Friday"), shared by the services that read
 * them (runs-service's fairness, admin-service's App Home settings). Dates are `YYYY-MM-DD`.
 */

/** `now` as a calendar date (`YYYY-MM-DD`) in the IANA zone `zone`; UTC when null or unknown. */
export function localDate(now: Date, zone: string | null | undefined): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: zone ?? 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

/** Whether someone away until and including `awayUntil` is away on `today`. Pure. */
export function isAway(awayUntil: string | null | undefined, today: string): boolean {
  return typeof awayUntil === 'string' && awayUntil >= today;
}
