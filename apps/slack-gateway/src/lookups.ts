import { type CommandFate, type Db, settleCommandFate } from '@coffeebuddy/db';

/**
 * What the gateway looks up while a request waits, each behind one small function so it can be
 * given a cache (or a different source) without touching the routes. Each may be slow or fail:
 * the routes run them inside the request's ack budget and carry on without the answer.
 */

/** A person's IANA timezone from users.info, or null when Slack has none for them. */
export type UserZoneLookup = (teamId: string, userId: string) => Promise<string | null>;

/** Whether coffee runs are enabled in a channel; null when the channel is not known yet. */
export type ChannelEnabledLookup = (channelId: string) => Promise<boolean | null>;

/** A channel's IANA timezone (`/coffee admin`), or null when it has none or is not known yet. */
export type ChannelZoneLookup = (channelId: string) => Promise<string | null>;

/** A run's status, or `missing` when there is no such run. */
export type RunStatusLookup = (runId: string) => Promise<'open' | 'closed' | 'cancelled' | 'missing'>;

export function channelEnabledFromDb(db: Db): ChannelEnabledLookup {
  return async (channelId) =>
    (await db.channel.findUnique({ where: { id: channelId }, select: { enabled: true } }))?.enabled ?? null;
}

export function channelZoneFromDb(db: Db): ChannelZoneLookup {
  return async (channelId) =>
    (await db.channel.findUnique({ where: { id: channelId }, select: { timezone: true } }))?.timezone ?? null;
}

/** `runId` must be a UUID (callers check it first: anything else never reaches a query). */
export function runStatusFromDb(db: Db): RunStatusLookup {
  return async (runId) =>
    (await db.run.findUnique({ where: { id: runId }, select: { status: true } }))?.status ?? 'missing';
}

/**
 * Records that the person was told a command failed (its publish was not confirmed in time), so
 * that it never takes effect if it reaches Kafka later; returns `taken` when the consumer handled
 * it first (then it did take effect, and the person is told so).
 */
export type AbandonCommand = (messageId: string) => Promise<CommandFate>;

export function abandonCommandInDb(db: Db): AbandonCommand {
  return (messageId) => settleCommandFate(db, messageId, 'abandoned');
}
