/**
 * Slack's date formatting in mrkdwn: `<!date^{unix seconds}^{format}[^{link}]|{fallback}>`
 * shows the time in the reader's timezone. The tokens are Slack's ("Formatting text for app
 * surfaces" → "Date formatting"):
 *
 * | token                 | example                        |
 * | --------------------- | ------------------------------ |
 * | `{date_num}`          | 2014-02-18                     |
 * | `{date}`              | February 18th, 2014            |
 * | `{date_short}`        | Feb 18, 2014                   |
 * | `{date_long}`         | Tuesday, February 18th, 2014   |
 * | `{date_pretty}`       | `{date}`, or today / yesterday / tomorrow |
 * | `{date_short_pretty}` | `{date_short}`, or today / …   |
 * | `{date_long_pretty}`  | `{date_long}`, or today / …    |
 * | `{time}`              | 6:39 AM                        |
 * | `{time_secs}`         | 6:39:42 AM                     |
 * | `{ago}`               | 3 minutes ago / in 20 minutes  |
 *
 * Text outside braces is kept as it is. Slack shows `{time}` in 12- or 24-hour form after the
 * reader's preference; the page uses 12-hour, Slack's default for English.
 */

interface Parts {
  year: string;
  month: string;
  monthName: string;
  monthShort: string;
  day: string;
  weekday: string;
  hour: string;
  minute: string;
  second: string;
  dayPeriod: string;
}

function partsIn(date: Date, timeZone: string): Parts {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
    hour12: true,
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const month = new Intl.DateTimeFormat('en-US', { timeZone, month: '2-digit' }).format(date);
  return {
    year: get('year'),
    month,
    monthName: get('month'),
    monthShort: get('month').slice(0, 3),
    day: get('day'),
    weekday: get('weekday'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    dayPeriod: get('dayPeriod').toUpperCase(),
  };
}

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
export function ordinal(day: number): string {
  const tens = day % 100;
  if (tens >= 11 && tens <= 13) return `${day}th`;
  switch (day % 10) {
    case 1:
      return `${day}st`;
    case 2:
      return `${day}nd`;
    case 3:
      return `${day}rd`;
    default:
      return `${day}th`;
  }
}

/** Calendar days from `now` to `date` in the timezone: 0 today, -1 yesterday, 1 tomorrow. */
function dayDistance(date: Date, now: Date, timeZone: string): number {
  const key = (d: Date) => {
    const p = partsIn(d, timeZone);
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day));
  };
  return Math.round((key(date) - key(now)) / 86_400_000);
}

function ago(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
    ['second', 1],
  ];
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'second')
      return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(0, 'second');
}

/**
 * Formats `<!date^…>` for a reader. `unixSeconds` is the date's timestamp, `format` the token
 * string, `timeZone` the reader's IANA zone, `now` the reader's clock (for the pretty and `ago`
 * forms). Returns undefined when the timestamp or the zone is unusable, so the caller shows
 * Slack's fallback text instead.
 */
export function formatSlackDate(
  unixSeconds: number,
  format: string,
  timeZone: string,
  now: Date = new Date(),
): string | undefined {
  if (!Number.isFinite(unixSeconds)) return undefined;
  const date = new Date(unixSeconds * 1000);
  let p: Parts;
  try {
    p = partsIn(date, timeZone);
  } catch {
    return undefined;
  }
  const date_ = `${p.monthName} ${ordinal(Number(p.day))}, ${p.year}`;
  const dateShort = `${p.monthShort} ${p.day}, ${p.year}`;
  const dateLong = `${p.weekday}, ${date_}`;
  const pretty = (otherwise: string) => {
    const distance = dayDistance(date, now, timeZone);
    if (distance === 0) return 'today';
    if (distance === -1) return 'yesterday';
    if (distance === 1) return 'tomorrow';
    return otherwise;
  };
  const tokens: Record<string, () => string> = {
    date_num: () => `${p.year}-${p.month}-${p.day.padStart(2, '0')}`,
    date: () => date_,
    date_short: () => dateShort,
    date_long: () => dateLong,
    date_pretty: () => pretty(date_),
    date_short_pretty: () => pretty(dateShort),
    date_long_pretty: () => pretty(dateLong),
    time: () => `${p.hour}:${p.minute} ${p.dayPeriod}`,
    time_secs: () => `${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`,
    ago: () => ago(date, now),
  };
  return format.replace(/\{([a-z_]+)\}/g, (whole, token: string) => tokens[token]?.() ?? whole);
}

/** A message timestamp (`1732500000.000100`) as the clock time beside the author's name. */
export function formatMessageTime(ts: string, timeZone: string): string {
  return formatSlackDate(Math.floor(Number(ts)), '{time}', timeZone) ?? ts;
}
