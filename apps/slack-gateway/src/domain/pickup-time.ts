import * as chrono from 'chrono-node';
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';

/**
 * Pickup times, in two pure steps. `readPickupPhrase` finds the time at the start of what the
 * person typed (chrono-node parses it; only time words are offered to it, so a note is never
 * read as a date). `resolvePickup` places it on the clock of the person's timezone:
 *
 * - a clock time means its next occurrence: today, or tomorrow when today's has passed (`00:15`
 *   typed at 23:50 is in 25 minutes); it must be at most 12 hours ahead, or it is an error;
 * - `in 20m`, `in 1h30m`, `in an hour` count from when Slack sent the command;
 * - a local time that does not exist that day (the spring DST gap) is an error naming the gap;
 *   one that happens twice (the autumn overlap) is the first one still ahead;
 * - without a usable timezone the time is read in UTC, and the result says so.
 */

export const MAX_PICKUP_AHEAD_MINUTES = 12 * 60;

export type PickupPhrase =
  | { kind: 'relative'; text: string; minutes: number }
  | {
      kind: 'clock';
      text: string;
      hour: number;
      minute: number;
      /** 0 for "today", 1 for "tomorrow", null when no day was said (next occurrence). */
      dayOffset: 0 | 1 | null;
      /** Whether the person said a.m./p.m., noon or midnight (shown back the same way). */
      twelveHour: boolean;
    };

/** The phrase and how many UTF-16 units of the typed text it took, or why it is not a time. */
export type PickupReading = { phrase: PickupPhrase; length: number } | { problem: string } | null;

// Words a pickup phrase is made of; the first word outside this list ends the phrase.
const TIME_WORD =
  /^(?:at|in|today|tomorrow|noon|midnight|midday|an?|half|and|\d{1,2}(?:[:.]\d{2}){0,2}(?:[ap]\.?m\.?)?|\d+(?:\.\d+)?|(?:\d+(?:h|hrs?|hours?|m|mins?|minutes?))+|h|hrs?|hours?|m|mins?|minutes?|[ap]\.?m\.?)$/i;
// A word that is surely meant as a time of day, even when it is not a valid one ("25:00", "13pm").
const LOOKS_LIKE_CLOCK = /^\d{1,2}[:.]\d{1,2}(?:[ap]\.?m\.?)?$|^\d{1,2}[ap]\.?m\.?$/i;
// chrono reads times against this reference; durations and day offsets are measured from it.
const REFERENCE = { instant: new Date(Date.UTC(2001, 0, 1, 12, 0, 0)), timezone: 'UTC' };
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** The words of `text` with where each ends; trailing `,;!` (and a final `.`) are not part of it. */
function words(text: string): { word: string; end: number }[] {
  const found: { word: string; end: number }[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    let word = match[0];
    if (!TIME_WORD.test(word)) word = word.replace(/[,;!.]+$/, '');
    found.push({ word, end: (match.index ?? 0) + word.length });
  }
  return found;
}

/**
 * chrono's readings, by phrase: always read against the same REFERENCE, so the same phrase reads
 * the same; people type the same few ("in 20m", "10:30") again and again. Bounded: cleared when
 * full.
 */
const readings = new Map<string, chrono.ParsedResult | null>();
const READINGS_MAX = 2_000;

/** chrono's reading of exactly `phrase` (all of it), or null. */
function parseWhole(phrase: string): chrono.ParsedResult | null {
  const known = readings.get(phrase);
  if (known !== undefined) return known;
  // chrono reads "10.30am" but not "10.30": make a bare dotted time a colon one.
  const normalized = phrase.replace(/\b(\d{1,2})\.(\d{2})\b(?!\s*[ap]\.?m)/gi, '$1:$2');
  const result = chrono.en.casual.parse(normalized, REFERENCE, { forwardDate: false })[0];
  const whole = result && result.index === 0 && result.text.length === normalized.length ? result : null;
  if (readings.size >= READINGS_MAX) readings.clear();
  readings.set(phrase, whole);
  return whole;
}

function phraseFrom(text: string, result: chrono.ParsedResult): PickupPhrase | null {
  const start = result.start;
  if (/^in\b/i.test(text)) {
    const minutes = Math.round((start.date().getTime() - REFERENCE.instant.getTime()) / MS_PER_MINUTE);
    return { kind: 'relative', text, minutes };
  }
  if (!start.isCertain('hour') || result.end) return null;
  let dayOffset: 0 | 1 | null = null;
  if (start.isCertain('day')) {
    const days = Math.round(
      (Date.UTC(start.get('year') ?? 0, (start.get('month') ?? 1) - 1, start.get('day') ?? 1) -
        Date.UTC(2001, 0, 1)) /
        MS_PER_DAY,
    );
    if (days !== 0 && days !== 1) return null;
    dayOffset = days;
  }
  return {
    kind: 'clock',
    text,
    hour: start.get('hour') ?? 0,
    minute: start.get('minute') ?? 0,
    dayOffset,
    twelveHour: /[ap]\.?m\.?$|[ap]\.?m\.?\s|noon|midnight|midday/i.test(text),
  };
}

/**
 * The pickup time at the start of typed text: `10:30`, `10.30am`, `2:30 p.m.`, `2 PM`, `noon`,
 * `midnight`, `00:15`, `tomorrow 9am`, `in 20m`, `in 1h30m`, `in an hour`. Null when the text
 * does not start with a time (it is all note); `{ problem }` when it starts with something meant
 * as a time that is not one.
 */
export function readPickupPhrase(typed: string): PickupReading {
  const all = words(typed);
  let count = 0;
  while (count < all.length && count < 6 && TIME_WORD.test(all[count]?.word ?? '')) count += 1;
  for (let n = count; n > 0; n -= 1) {
    const length = all[n - 1]?.end ?? 0;
    const text = typed.slice(0, length);
    const result = parseWhole(text);
    const phrase = result && phraseFrom(text, result);
    if (!phrase) continue;
    if (phrase.kind === 'relative' && phrase.minutes <= 0) {
      return { problem: `"${text}" is not a duration I understand — try "in 20m" or "in 1h30m".` };
    }
    return { phrase, length };
  }
  const first = all[0]?.word ?? '';
  const relative = /^in$/i.test(first) && /^\d/.test(all[1]?.word ?? '');
  if (relative) {
    return {
      problem: `"in ${all[1]?.word}" is not a duration I understand — try "in 20m" or "in 1h30m".`,
    };
  }
  const clock = [first, `${first}${all[1]?.word ?? ''}`].find((w) => LOOKS_LIKE_CLOCK.test(w));
  if (clock) return { problem: `"${clock}" is not a time of day — try 10:30, 2:30pm, noon or "in 20m".` };
  return null;
}

export type ResolvedPickup =
  | {
      ok: true;
      at: Date;
      /** The zone the time was read in, and whether it is the person's (false: UTC, unknown). */
      zone: string;
      zoneKnown: boolean;
      /** The pickup as the person's wall clock shows it ("10:30", "2:30 PM") and its day. */
      local: string;
      day: 'today' | 'tomorrow';
      minutesAhead: number;
    }
  | { ok: false; reason: string };

/** Every instant at which `tz`'s wall clock shows this date and time: none, one or two. */
function instantsAt(
  tz: Zone,
  date: { year: number; month: number; day: number },
  hour: number,
  minute: number,
): number[] {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const offsets = new Set(
    [-1, -0.5, 0, 0.5, 1].map((days) => tz.offset(wall + days * MS_PER_DAY)).filter(Number.isFinite),
  );
  return [...offsets]
    .map((offset) => wall - offset * MS_PER_MINUTE)
    .filter((instant) => {
      const back = DateTime.fromMillis(instant, { zone: tz });
      return back.hour === hour && back.minute === minute && back.day === date.day;
    })
    .sort((a, b) => a - b);
}

/** The wall-clock jump that skips `instant`'s day's missing time: "from 02:00 to 03:00". */
function describeGap(tz: Zone, instant: number): string {
  let low = instant - MS_PER_DAY;
  let high = instant + MS_PER_DAY;
  const before = tz.offset(low);
  const after = tz.offset(high);
  // The change of offset, to the millisecond.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (tz.offset(middle) === before) low = middle;
    else high = middle;
  }
  const wall = (offset: number) =>
    DateTime.fromMillis(high, { zone: FixedOffsetZone.instance(offset) }).toFormat('HH:mm');
  return `from ${wall(before)} to ${wall(after)}`;
}

const clockText = (hour: number, minute: number) =>
  `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;

function tooFar(phrase: Extract<PickupPhrase, { kind: 'clock' }>, now: DateTime, rolled: boolean): string {
  const typed = phrase.text;
  const lead = rolled
    ? `${typed} has passed (it is ${now.toFormat('HH:mm')} in ${now.zoneName}), and the next ${typed} is more than ${MAX_PICKUP_AHEAD_MINUTES / 60} hours away`
    : `${typed} is more than ${MAX_PICKUP_AHEAD_MINUTES / 60} hours away (it is ${now.toFormat('HH:mm')} in ${now.zoneName})`;
  const pm = phrase.hour >= 1 && phrase.hour < 12 && !phrase.twelveHour;
  const afternoon = now.set({ hour: phrase.hour + 12, minute: phrase.minute, second: 0, millisecond: 0 });
  const hint =
    pm && afternoon > now && afternoon.diff(now, 'minutes').minutes <= MAX_PICKUP_AHEAD_MINUTES
      ? ` Did you mean ${clockText(phrase.hour + 12, phrase.minute)} (${typed}pm)?`
      : ' Pick a later time, or use "in 20m".';
  return `${lead}.${hint}`;
}

/**
 * Places a phrase on the clock: the pickup instant, how the person's wall clock shows it, or a
 * reason to give them. `zone` is their IANA timezone (users.info `tz`); null or an unknown zone
 * reads the time in UTC and says so (`zoneKnown: false`).
 */
export function resolvePickup(phrase: PickupPhrase, receivedAt: Date, zone: string | null): ResolvedPickup {
  const resolved = placeOnClock(phrase, receivedAt, zone);
  if (resolved.ok || resolved.zoneKnown || phrase.kind === 'relative') return resolved;
  return {
    ok: false,
    reason: `${resolved.reason} (I couldn't check your timezone, so I read the time in UTC.)`,
  };
}

function placeOnClock(
  phrase: PickupPhrase,
  receivedAt: Date,
  zone: string | null,
): Extract<ResolvedPickup, { ok: true }> | { ok: false; reason: string; zoneKnown: boolean } {
  // IANAZone.create caches the zone and whether it is valid; isValidZone would build an
  // Intl.DateTimeFormat on every call (measured: luxon's largest share of a /coffee).
  const zoneKnown = zone !== null && IANAZone.create(zone).isValid;
  // UTC as a fixed offset: an IANA zone's offset is worked out with Intl.formatToParts for every
  // DateTime (the largest share of luxon's time in a /coffee), a fixed one is arithmetic.
  const tz: Zone = zoneKnown ? IANAZone.create(zone as string) : FixedOffsetZone.utcInstance;
  // The wall clock of `tz` at an instant, as the UTC fields of a Date: plain arithmetic on the
  // zone's offset there (a DateTime per instant cost most of a relative /coffee's time).
  const wall = (instant: number) => new Date(instant + tz.offset(instant) * MS_PER_MINUTE);
  const done = (at: number, twelveHour: boolean): Extract<ResolvedPickup, { ok: true }> => {
    const local = wall(at);
    const today = wall(receivedAt.getTime());
    const sameDay =
      local.getUTCFullYear() === today.getUTCFullYear() &&
      local.getUTCMonth() === today.getUTCMonth() &&
      local.getUTCDate() === today.getUTCDate();
    const minutesAhead = Math.ceil((at - receivedAt.getTime()) / MS_PER_MINUTE);
    return {
      ok: true,
      at: new Date(at),
      zone: tz.name,
      zoneKnown,
      local: twelveHour
        ? DateTime.fromMillis(at, { zone: tz }).toFormat('h:mm a')
        : clockText(local.getUTCHours(), local.getUTCMinutes()),
      day: sameDay ? 'today' : 'tomorrow',
      minutesAhead,
    };
  };
  if (phrase.kind === 'relative') {
    if (phrase.minutes > MAX_PICKUP_AHEAD_MINUTES) {
      return {
        ok: false,
        zoneKnown,
        reason: `Pickup can be at most ${MAX_PICKUP_AHEAD_MINUTES / 60} hours ahead.`,
      };
    }
    return done(receivedAt.getTime() + phrase.minutes * MS_PER_MINUTE, false);
  }
  const now = DateTime.fromJSDate(receivedAt, { zone: tz });
  const days = phrase.dayOffset === null ? [0, 1] : [phrase.dayOffset];
  for (const offset of days) {
    const date = now.plus({ days: offset });
    const instants = instantsAt(tz, date, phrase.hour, phrase.minute);
    const ahead = instants.find((instant) => instant > receivedAt.getTime());
    const passedToday =
      offset === 0 && (now.hour > phrase.hour || (now.hour === phrase.hour && now.minute >= phrase.minute));
    if (instants.length === 0 && !passedToday) {
      const wall = Date.UTC(date.year, date.month - 1, date.day, phrase.hour, phrase.minute);
      return {
        ok: false,
        zoneKnown,
        reason: `${phrase.text} does not exist in ${tz.name} on ${date.toFormat('d MMMM')}: the clocks jump ${describeGap(tz, wall - tz.offset(wall) * MS_PER_MINUTE)}. Pick another time.`,
      };
    }
    if (ahead === undefined) continue;
    if ((ahead - receivedAt.getTime()) / MS_PER_MINUTE > MAX_PICKUP_AHEAD_MINUTES) {
      return { ok: false, zoneKnown, reason: tooFar(phrase, now, offset === 1 && phrase.dayOffset === null) };
    }
    return done(ahead, phrase.twelveHour);
  }
  return {
    ok: false,
    zoneKnown,
    reason: `${phrase.text} has already passed (it is ${now.toFormat('HH:mm')} in ${tz.name}) — pick a later time or use "in 20m".`,
  };
}
