import { MAX_PICKUP_AHEAD_MINUTES, NOTE_MAX_LENGTH, parseCoffeeCommand } from './coffee-command';

// 09:00 in Berlin (UTC+1 in November).
const receivedAt = new Date('2026-11-25T08:00:00Z');
const berlin = 'Europe/Berlin';

describe('parseCoffeeCommand', () => {
  it.each([
    [
      '10:30 oat flat whites at Blue Door',
      '2026-11-25T09:30:00.000Z',
      '10:30',
      'oat flat whites at Blue Door',
    ],
    ['10.30am', '2026-11-25T09:30:00.000Z', '10.30am', null],
    ['2pm latte', '2026-11-25T13:00:00.000Z', '2pm', 'latte'],
    ['10 am', '2026-11-25T09:00:00.000Z', '10am', null],
    ['14:05', '2026-11-25T13:05:00.000Z', '14:05', null],
    ['in 20m', '2026-11-25T08:20:00.000Z', 'in 20m', null],
    ['in 20 min the usual', '2026-11-25T08:20:00.000Z', 'in 20min', 'the usual'],
    ['in 1h30m', '2026-11-25T09:30:00.000Z', 'in 1h30m', null],
  ])('reads "%s" in the user timezone', (text, pickupAt, pickupText, note) => {
    expect(parseCoffeeCommand(text, receivedAt, berlin)).toEqual({
      kind: 'start_run',
      pickupAt,
      pickupText,
      note,
      zone: berlin,
    });
  });

  it('uses UTC when the timezone is unknown or invalid', () => {
    expect(parseCoffeeCommand('10:30', receivedAt, null)).toMatchObject({
      pickupAt: '2026-11-25T10:30:00.000Z',
      zone: 'UTC',
    });
    expect(parseCoffeeCommand('10:30', receivedAt, 'Mars/Olympus')).toMatchObject({ zone: 'UTC' });
  });

  it('treats text that does not start with a time as the note, and empty text as a plain run', () => {
    expect(parseCoffeeCommand('flat whites please', receivedAt, berlin)).toMatchObject({
      pickupAt: null,
      note: 'flat whites please',
    });
    expect(parseCoffeeCommand('2 flat whites', receivedAt, berlin)).toMatchObject({
      pickupAt: null,
      note: '2 flat whites',
    });
    expect(parseCoffeeCommand('   ', receivedAt, berlin)).toMatchObject({
      kind: 'start_run',
      pickupAt: null,
      note: null,
    });
  });

  it('recognises help and admin', () => {
    expect(parseCoffeeCommand('help', receivedAt, berlin)).toEqual({ kind: 'help' });
    expect(parseCoffeeCommand(' ADMIN ', receivedAt, berlin)).toEqual({ kind: 'admin' });
  });

  it.each([
    ['25:00', /"25:00" is not a time of day/],
    ['10:75', /"10:75" is not a time of day/],
    ['13pm', /"13pm" is not a time of day/],
    ['8:30', /8:30 has already passed \(it is 09:00 in Europe\/Berlin\)/],
    ['in soon', null],
    ['in 0m', /"in 0m" is not a duration/],
    ['in 20 parsecs', /"in 20" is not a duration/],
    ['in 13h', new RegExp(`at most ${MAX_PICKUP_AHEAD_MINUTES / 60} hours ahead`)],
    [`10:30 ${'x'.repeat(NOTE_MAX_LENGTH + 1)}`, /keep it under 280/],
  ])('rejects "%s" with a specific reason', (text, reason) => {
    const result = parseCoffeeCommand(text, receivedAt, berlin);
    if (reason === null) {
      // "in soon" does not start with a duration: it is a note.
      expect(result).toMatchObject({ kind: 'start_run', note: 'in soon' });
    } else {
      expect(result.kind).toBe('invalid');
      expect(result.kind === 'invalid' && result.reason).toMatch(reason);
    }
  });
});
