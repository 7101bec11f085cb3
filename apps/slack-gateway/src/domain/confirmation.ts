import { escapeMrkdwn } from '@coffeebuddy/slack';
import type { ResolvedPickup } from './pickup-time';

type Pickup = Extract<ResolvedPickup, { ok: true }>;

/** Whose timezone a clock time was read in: the person's (Slack profile) or the channel's (`/coffee admin`). */
export type ZoneSource = 'person' | 'channel';

/** "in 25 min", "in 1 h", "in 2 h 5 min". */
export function describeWait(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `in ${rest} min`;
  return rest === 0 ? `in ${hours} h` : `in ${hours} h ${rest} min`;
}

/**
 * The short ephemeral answer to a `/coffee` that starts a run: the pickup time as understood, on
 * the person's clock. A clock time read in the channel's timezone or in UTC because theirs could
 * not be checked says so; a relative time is shown with Slack's date token, which every reader sees in their zone.
 */
export function startConfirmation(
  pickup: Pickup | null,
  kind: 'clock' | 'relative' | null,
  zoneSource: ZoneSource = 'person',
): string {
  const start = '☕ Starting your coffee run';
  if (!pickup) return `${start} — no pickup time set. The run message will appear here.`;
  const wait = describeWait(pickup.minutesAhead);
  const day = pickup.day === 'tomorrow' ? ' tomorrow' : '';
  if (kind === 'relative') {
    const unix = Math.floor(pickup.at.getTime() / 1000);
    const fallback = `${pickup.local}${day} ${pickup.zone}`;
    return `${start} — pickup ${wait}, at <!date^${unix}^{time}|${escapeMrkdwn(fallback)}>.`;
  }
  if (!pickup.zoneKnown) {
    return `${start} — pickup read as ${pickup.local}${day} UTC (${wait}) — I couldn't check your timezone.`;
  }
  if (zoneSource === 'channel') {
    return `${start} — pickup at ${pickup.local}${day} (${pickup.zone}, this channel's timezone — I couldn't check yours), ${wait}.`;
  }
  return `${start} — pickup at ${pickup.local}${day} (${pickup.zone}), ${wait}.`;
}
