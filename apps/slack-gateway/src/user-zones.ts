import type { BotTokenResolver, SlackClients } from '@coffeebuddy/slack';
import type { Logger } from 'pino';
import type { UserZoneLookup } from './app';

/**
 * users.info timezones, cached per user for an hour. A lookup that fails or takes longer than
 * `timeoutMs` answers null (the caller reads times in UTC and says so) instead of holding the ack.
 */
export function cachedUserZones(options: {
  tokens: BotTokenResolver;
  slack: SlackClients;
  logger: Logger;
  timeoutMs?: number;
  ttlMs?: number;
}): UserZoneLookup {
  const cache = new Map<string, { zone: string | null; expires: number }>();
  const ttl = options.ttlMs ?? 60 * 60 * 1000;
  return async (teamId, userId) => {
    const key = `${teamId}:${userId}`;
    const hit = cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.zone;
    let timer: NodeJS.Timeout | undefined;
    try {
      const lookup = (async () => {
        const token = await options.tokens.botTokenFor(teamId);
        const info = await options.slack.forToken(token).users.info({ user: userId });
        return info.user?.tz ?? null;
      })();
      const zone = await Promise.race([
        lookup,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), options.timeoutMs ?? 700);
        }),
      ]);
      if (cache.size > 10_000) cache.clear();
      // A timeout answers null now but is asked again soon; a real answer is kept for the TTL.
      cache.set(key, { zone, expires: Date.now() + (zone === null ? 60_000 : ttl) });
      return zone;
    } catch (error) {
      options.logger.warn(
        { teamId, userId, err: (error as Error).message },
        'users.info failed; reading times in UTC',
      );
      cache.set(key, { zone: null, expires: Date.now() + 60_000 });
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
}
