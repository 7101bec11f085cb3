import { describe, expect, it } from 'vitest';
import { formatMessageTime, formatSlackDate, ordinal } from '../src/slack-date';

const NOW = new Date(Date.UTC(2024, 10, 25, 10, 0, 0));
const AT = Date.UTC(2024, 10, 25, 11, 0, 5) / 1000;

describe('formatSlackDate (Slack date tokens)', () => {
  it.each([
    ['{date_num}', '2024-11-25'],
    ['{date}', 'November 25th, 2024'],
    ['{date_short}', 'Nov 25, 2024'],
    ['{date_long}', 'Monday, November 25th, 2024'],
    ['{date_pretty}', 'today'],
    ['{date_short_pretty}', 'today'],
    ['{date_long_pretty}', 'today'],
    ['{time}', '11:00 AM'],
    ['{time_secs}', '11:00:05 AM'],
    ['{ago}', 'in 1 hour'],
    ['pickup {date_short} at {time}!', 'pickup Nov 25, 2024 at 11:00 AM!'],
    ['{unknown_token}', '{unknown_token}'],
  ])('%s', (format, expected) => {
    expect(formatSlackDate(AT, format, 'Europe/London', NOW)).toBe(expected);
  });

  it('uses the reader’s timezone, including the calendar day', () => {
    const lateEvening = Date.UTC(2024, 10, 26, 3, 30) / 1000; // 26th in London, 25th in Los Angeles
    expect(formatSlackDate(lateEvening, '{date_num} {time}', 'Europe/London', NOW)).toBe(
      '2024-11-26 3:30 AM',
    );
    expect(formatSlackDate(lateEvening, '{date_num} {time}', 'America/Los_Angeles', NOW)).toBe(
      '2024-11-25 7:30 PM',
    );
    expect(formatSlackDate(lateEvening, '{date_pretty}', 'Europe/London', NOW)).toBe('tomorrow');
    expect(formatSlackDate(lateEvening, '{date_pretty}', 'America/Los_Angeles', NOW)).toBe('today');
    expect(formatSlackDate(Date.UTC(2024, 10, 24, 12) / 1000, '{date_pretty}', 'UTC', NOW)).toBe('yesterday');
    expect(formatSlackDate(Date.UTC(2024, 10, 20, 12) / 1000, '{date_short_pretty}', 'UTC', NOW)).toBe(
      'Nov 20, 2024',
    );
  });

  it('gives up (so the fallback shows) on a bad timestamp or timezone', () => {
    expect(formatSlackDate(Number.NaN, '{time}', 'UTC', NOW)).toBeUndefined();
    expect(formatSlackDate(AT, '{time}', 'Mars/Olympus_Mons', NOW)).toBeUndefined();
  });

  it('writes ordinals as Slack does', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '31st',
    ]);
  });

  it('shows a message ts as the reader’s clock time', () => {
    expect(formatMessageTime('1732532405.000100', 'America/New_York')).toBe('6:00 AM');
  });
});
