import { type BotTokenResolver, type SlackClients, slackActions } from '@coffeebuddy/slack';
import type { Logger } from 'pino';
import type { UserZoneLookup } from './lookups';

/**
 * users.info timezones, cached per user for an hour (a failure for a minute, so a rate-limited
 * Slack is not asked again at once). It waits as long as users.info takes: the caller runs it
 * inside the request's ack budget, and an answer that comes after the request has moved on still
 * fills the cache for the next one. Throws when users.info fails.
 */
export function cachedUserZones(options: {
  tokens: BotTokenResolver;
  slack: SlackClients;
  logger: Logger;
  ttlMs?: number;
}): UserZoneLookup {
  const cache = new Map<
    string,
    { zone: string | null; expires: number } | { error: Error; expires: number }
  >();
  const ttl = options.ttlMs ?? 60 * 60 * 1000;
  // slackActions: a cached token Slack refuses (a reinstall) is read again and the call repeated.
  const slack = slackActions(options.tokens, options.slack);
  return async (teamId, userId) => {
    const key = `${teamId}:${userId}`;
    const hit = cache.get(key);
    if (hit && hit.expires > Date.now()) {
      if ('error' in hit) throw hit.error;
      return hit.zone;
    }
    if (cache.size > 10_000) cache.clear();
    try {
      const zone = (await slack.userInfo(teamId, userId)).tz;
      cache.set(key, { zone, expires: Date.now() + ttl });
      return zone;
    } catch (error) {
      options.logger.warn({ teamId, userId, err: (error as Error).message }, 'users.info failed');
      cache.set(key, { error: error as Error, expires: Date.now() + 60_000 });
      throw error;
    }
  };
}
