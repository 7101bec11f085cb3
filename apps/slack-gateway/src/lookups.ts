import { type CommandFate, type Db, settleCommandFate } from '@coffeebuddy/db';

/**
 * What the gateway looks up while a request waits, each behind one small function so it can be
 * given a cache (or a different source) without touching the routes. Each may be slow or fail:
 * the routes run them inside the request's ack budget and carry on without the answer.
 */

/** A person's IANA timezone from users.info, or null when Slack has none for them. */
export type UserZoneLookup = (teamId: string, userId: string) => Promise<string | null>;

/** Whether coffee runs are enabled in a channel; null (or true) when the channel is not known yet. */
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

/** What the gateway keeps of the channels table: the few rows that differ from a new channel's. */
export interface ChannelSnapshot {
  channelEnabled: ChannelEnabledLookup;
  channelZone: ChannelZoneLookup;
  /**
   * Marks a channel whose settings are being changed right now (the gateway has just passed on a
   * `/coffee admin` submission for it): for `changedMs` its lookups ask the database, so the
   * answers that follow a change never come from a copy read before it.
   */
  channelChanged(channelId: string): void;
  /** Loads the table once (waits for it) and then keeps it fresh every `refreshMs`. */
  start(): Promise<void>;
  /** Stops refreshing; resolves once a refresh still running has ended. */
  stop(): Promise<void>;
}

/**
 * The channels' enabled flags and timezones held in memory, so a slash command costs no database
 * round trip. Only the rows that differ from what an unknown channel means are kept — channels
 * turned off, channels with a timezone — read in one query every `refreshMs` (default 500 ms;
 * each refresh replaces the whole set, so a channel turned back on or deleted drops out). A
 * change made through `/coffee admin` is seen at most `refreshMs` plus one query after
 * admin-service commits it: that bounded TTL is the invalidation. (Runs-service checks the flag
 * again before it writes a run, so a command let through in that window starts nothing in a
 * channel that is off.) When refreshing fails for longer than `maxStaleMs` (default 5 s), the
 * lookups ask the database per request again until a refresh succeeds. A channel whose settings
 * this gateway has just passed on a change for (`channelChanged`) is looked up in the database for
 * `changedMs` (default 30 s), so its next answers never come from a copy older than the change;
 * through another replica the change is seen within `refreshMs`.
 */
export function channelSnapshot(
  db: Db,
  options: {
    refreshMs?: number;
    maxStaleMs?: number;
    changedMs?: number;
    logger: { warn(obj: object, msg: string): void };
    now?: () => number;
  },
): ChannelSnapshot {
  const refreshMs = options.refreshMs ?? 500;
  const maxStaleMs = options.maxStaleMs ?? 5_000;
  const changedMs = options.changedMs ?? 30_000;
  /** Channels changed through this gateway lately, with when that stops mattering. */
  const changed = new Map<string, number>();
  const now = options.now ?? (() => Date.now());
  const fallbackEnabled = channelEnabledFromDb(db);
  const fallbackZone = channelZoneFromDb(db);
  let disabled = new Set<string>();
  let zones = new Map<string, string>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failing = false;

  async function refresh(): Promise<void> {
    const startedAt = now();
    const rows = await db.channel.findMany({
      where: { OR: [{ enabled: false }, { timezone: { not: null } }] },
      select: { id: true, enabled: true, timezone: true },
    });
    const nextDisabled = new Set<string>();
    const nextZones = new Map<string, string>();
    for (const row of rows) {
      if (!row.enabled) nextDisabled.add(row.id);
      if (row.timezone) nextZones.set(row.id, row.timezone);
    }
    disabled = nextDisabled;
    zones = nextZones;
    loadedAt = startedAt;
  }

  function loop(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = refresh().then(
        () => {
          failing = false;
          loop();
        },
        (error: Error) => {
          if (!failing)
            options.logger.warn({ err: error.message }, 'channel snapshot refresh failed; retrying');
          failing = true;
          loop();
        },
      );
    }, refreshMs);
    timer.unref();
  }

  const fresh = () => now() - loadedAt <= maxStaleMs;
  const recentlyChanged = (channelId: string) => {
    const until = changed.get(channelId);
    if (until === undefined) return false;
    if (until > now()) return true;
    changed.delete(channelId);
    return false;
  };
  return {
    channelEnabled: async (channelId) => {
      if (!fresh() || recentlyChanged(channelId)) return fallbackEnabled(channelId);
      // An unknown channel is not in the table yet; the route treats it as enabled either way.
      return !disabled.has(channelId);
    },
    channelZone: async (channelId) => {
      if (!fresh() || recentlyChanged(channelId)) return fallbackZone(channelId);
      return zones.get(channelId) ?? null;
    },
    channelChanged(channelId) {
      if (changed.size >= 10_000) changed.clear();
      changed.set(channelId, now() + changedMs);
    },
    async start() {
      await refresh();
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
