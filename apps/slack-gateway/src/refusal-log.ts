import type { Logger } from 'pino';

/**
 * Warn lines about refused requests (failed verification, malformed or unsupported bodies),
 * rate-limited so that a flood of them cannot fill the disk: at most `perMinute` lines a minute,
 * then one line a minute saying how many were left out, by code. Metrics count every refusal.
 */
export class RefusalLog {
  private windowStart = 0;
  private written = 0;
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
  ) {}

  warn(code: string, fields: Record<string, unknown>, message: string): void {
    const now = this.clock();
    if (now - this.windowStart >= 60_000) {
      if (this.suppressed.size > 0) {
        this.logger.warn(
          { suppressed: Object.fromEntries(this.suppressed) },
          'refused requests not logged in the last minute (rate limit)',
        );
        this.suppressed.clear();
      }
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.perMinute) {
      this.written += 1;
      this.logger.warn({ code, ...fields }, message);
    } else {
      this.suppressed.set(code, (this.suppressed.get(code) ?? 0) + 1);
    }
  }
}
