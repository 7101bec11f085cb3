import type { Channel, Order, Run, RunnerStat, UserPreference } from './generated/prisma/client';

/**
 * A row as plain JSON: Dates become ISO strings, everything else is kept. The types are
 * derived from Prisma's row types, so apps never re-declare the shape of a row.
 */
export type Serialized<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

export function serializeRow<T extends object>(row: T): Serialized<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out as Serialized<T>;
}

export type RunDto = Serialized<Omit<Run, 'fairnessAudit' | 'orderSnapshot'>>;
export type OrderDto = Serialized<
  Pick<Order, 'id' | 'runId' | 'userId' | 'text' | 'provenance' | 'status' | 'createdAt' | 'updatedAt'>
>;
export type ChannelSettingsDto = Serialized<
  Pick<
    Channel,
    | 'id'
    | 'enabled'
    | 'reminderOffsetMinutes'
    | 'lastCallEnabled'
    | 'fairnessWindowDays'
    | 'adminUserIds'
    | 'dataRetentionDays'
  >
>;
export type RunnerStatDto = Serialized<
  Pick<RunnerStat, 'userId' | 'runsServedCount' | 'lastRunAt' | 'optInRepeat'>
>;
export type UserPreferenceDto = Serialized<
  Pick<UserPreference, 'userId' | 'channelId' | 'lastOrderText' | 'updatedAt'>
>;

export function serializeRun(run: Run): RunDto {
  const { fairnessAudit: _audit, orderSnapshot: _snapshot, ...rest } = run;
  return serializeRow(rest);
}

export function serializeOrder(order: Order): OrderDto {
  const { id, runId, userId, text, provenance, status, createdAt, updatedAt } = order;
  return serializeRow({ id, runId, userId, text, provenance, status, createdAt, updatedAt });
}

export function serializeChannelSettings(channel: Channel): ChannelSettingsDto {
  const {
    id,
    enabled,
    reminderOffsetMinutes,
    lastCallEnabled,
    fairnessWindowDays,
    adminUserIds,
    dataRetentionDays,
  } = channel;
  return {
    id,
    enabled,
    reminderOffsetMinutes,
    lastCallEnabled,
    fairnessWindowDays,
    adminUserIds,
    dataRetentionDays,
  };
}

export function serializeRunnerStat(stat: RunnerStat): RunnerStatDto {
  const { userId, runsServedCount, lastRunAt, optInRepeat } = stat;
  return serializeRow({ userId, runsServedCount, lastRunAt, optInRepeat });
}

export function serializeUserPreference(preference: UserPreference): UserPreferenceDto {
  const { userId, channelId, lastOrderText, updatedAt } = preference;
  return serializeRow({ userId, channelId, lastOrderText, updatedAt });
}
