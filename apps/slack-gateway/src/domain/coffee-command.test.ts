import { decodeSlackText, plainText } from '@coffeebuddy/slack';
import { NOTE_MAX_LENGTH, readCoffeeCommand, USAGE } from './coffee-command';
import { describeWait, startConfirmation } from './confirmation';
import { MAX_PICKUP_AHEAD_MINUTES, resolvePickup } from './pickup-time';

const BERLIN = 'Europe/Berlin';

/** What the gateway understands from Slack's text at a moment in a zone: pickup and note, or why not. */
function understand(wire: string, receivedAt: string, zone: string | null = BERLIN) {
  const command = readCoffeeCommand(decodeSlackText(wire));
  if (command.kind === 'invalid') return { reason: command.reason };
  if (command.kind !== 'start_run') return { kind: command.kind };
  const pickup = command.pickup ? resolvePickup(command.pickup, new Date(receivedAt), zone) : null;
  if (pickup && !pickup.ok) return { reason: pickup.reason };
  return {
    pickupAt: pickup?.ok ? pickup.at.toISOString() : null,
    local: pickup?.ok ? `${pickup.local} ${pickup.day}` : null,
    pickupText: command.pickup?.text ?? null,
    note: command.note,
  };
}

// 09:00 in Berlin (UTC+1 in November).
const NINE = '2026-11-25T08:00:00Z';

describe('/coffee pickup times (what people type → when the pickup is)', () => {
  it.each([
    // text, received at, zone, pickup (UTC), on the person's clock, note
    [
      '10:30 oat flat whites at Blue Door',
      NINE,
      BERLIN,
      '2026-11-25T09:30:00.000Z',
      '10:30 today',
      'oat flat whites at Blue Door',
    ],
    ['10.30am', NINE, BERLIN, '2026-11-25T09:30:00.000Z', '10:30 AM today', null],
    ['10.30 oat', NINE, BERLIN, '2026-11-25T09:30:00.000Z', '10:30 today', 'oat'],
    ['2pm latte', NINE, BERLIN, '2026-11-25T13:00:00.000Z', '2:00 PM today', 'latte'],
    ['2:30 p.m.', NINE, BERLIN, '2026-11-25T13:30:00.000Z', '2:30 PM today', null],
    ['2:30 pm cortado', NINE, BERLIN, '2026-11-25T13:30:00.000Z', '2:30 PM today', 'cortado'],
    ['2:30pm', NINE, BERLIN, '2026-11-25T13:30:00.000Z', '2:30 PM today', null],
    ['2.30 P.M.', NINE, BERLIN, '2026-11-25T13:30:00.000Z', '2:30 PM today', null],
    ['2 p.m. sharp', NINE, BERLIN, '2026-11-25T13:00:00.000Z', '2:00 PM today', 'sharp'],
    ['10 am', NINE, BERLIN, '2026-11-25T09:00:00.000Z', '10:00 AM today', null],
    ['14:05', NINE, BERLIN, '2026-11-25T13:05:00.000Z', '14:05 today', null],
    ['10:30, oat flat whites', NINE, BERLIN, '2026-11-25T09:30:00.000Z', '10:30 today', 'oat flat whites'],
    ['at 10:30 oat', NINE, BERLIN, '2026-11-25T09:30:00.000Z', '10:30 today', 'oat'],
    ['noon', NINE, BERLIN, '2026-11-25T11:00:00.000Z', '12:00 PM today', null],
    ['12pm', NINE, BERLIN, '2026-11-25T11:00:00.000Z', '12:00 PM today', null],
    [
      'midnight snacks',
      '2026-11-25T19:00:00Z',
      BERLIN,
      '2026-11-25T23:00:00.000Z',
      '12:00 AM tomorrow',
      'snacks',
    ],
    ['12:30am', '2026-11-25T19:00:00Z', BERLIN, '2026-11-25T23:30:00.000Z', '12:30 AM tomorrow', null],
    // A clock time earlier than now is its next occurrence, when that is within 12 hours.
    [
      '00:15 night shift',
      '2026-11-25T22:50:00Z',
      BERLIN,
      '2026-11-25T23:15:00.000Z',
      '00:15 tomorrow',
      'night shift',
    ],
    ['8:30', '2026-11-25T21:00:00Z', BERLIN, '2026-11-26T07:30:00.000Z', '08:30 tomorrow', null],
    ['tomorrow 9am', '2026-11-25T21:00:00Z', BERLIN, '2026-11-26T08:00:00.000Z', '9:00 AM tomorrow', null],
    ['in 20m', NINE, BERLIN, '2026-11-25T08:20:00.000Z', '09:20 today', null],
    ['in 20 min the usual', NINE, BERLIN, '2026-11-25T08:20:00.000Z', '09:20 today', 'the usual'],
    ['in 1h30m', NINE, BERLIN, '2026-11-25T09:30:00.000Z', '10:30 today', null],
    ['in an hour', NINE, BERLIN, '2026-11-25T09:00:00.000Z', '10:00 today', null],
    ['in half an hour', NINE, BERLIN, '2026-11-25T08:30:00.000Z', '09:30 today', null],
    ['in 90 minutes', NINE, BERLIN, '2026-11-25T09:30:00.000Z', '10:30 today', null],
    // The autumn overlap: 02:30 happens twice; the first one still ahead.
    ['2:30', '2026-10-24T23:00:00Z', BERLIN, '2026-10-25T00:30:00.000Z', '02:30 today', null],
    ['2:30', '2026-10-25T00:45:00Z', BERLIN, '2026-10-25T01:30:00.000Z', '02:30 today', null],
    // Without a usable timezone the time is read in UTC (and the confirmation says so).
    ['10:30', NINE, null, '2026-11-25T10:30:00.000Z', '10:30 today', null],
    ['10:30', NINE, 'Mars/Olympus', '2026-11-25T10:30:00.000Z', '10:30 today', null],
    ['10:30', NINE, 'America/New_York', '2026-11-25T15:30:00.000Z', '10:30 today', null],
  ])('"%s" at %s in %s → %s (%s), note %j', (text, at, zone, pickupAt, local, note) => {
    expect(understand(text, at, zone)).toMatchObject({ pickupAt, local, note });
  });

  it.each([
    [
      '10:30',
      '2026-11-25T10:15:00Z',
      /10:30 has passed \(it is 11:15 in Europe\/Berlin\), and the next 10:30 is more than 12 hours away\. Did you mean 22:30 \(10:30pm\)\?/,
    ],
    [
      '2:30',
      '2026-11-25T12:00:00Z',
      /2:30 has passed \(it is 13:00 in Europe\/Berlin\), .* Did you mean 14:30 \(2:30pm\)\?/,
    ],
    ['14:05', '2026-11-25T14:00:00Z', /14:05 has passed .* Pick a later time, or use "in 20m"/],
    [
      '10:30 today',
      '2026-11-25T10:15:00Z',
      /10:30 today has already passed \(it is 11:15 in Europe\/Berlin\)/,
    ],
    ['tomorrow 10:30', NINE, /more than 12 hours away/],
    // The spring DST gap: 02:00–03:00 does not exist in Berlin on 29 March 2026.
    [
      '2:30',
      '2026-03-29T00:00:00Z',
      /2:30 does not exist in Europe\/Berlin on 29 March: the clocks jump from 02:00 to 03:00/,
    ],
    [
      '02:30',
      '2026-03-28T22:00:00Z',
      /02:30 does not exist in Europe\/Berlin on 29 March: the clocks jump from 02:00 to 03:00/,
    ],
    ['25:00', NINE, /"25:00" is not a time of day/],
    ['10:75', NINE, /"10:75" is not a time of day/],
    ['13pm', NINE, /"13pm" is not a time of day/],
    ['in 0m', NINE, /"in 0m" is not a duration/],
    ['in 20 parsecs', NINE, /"in 20" is not a duration/],
    ['in 13h', NINE, new RegExp(`at most ${MAX_PICKUP_AHEAD_MINUTES / 60} hours ahead`)],
  ])('"%s" at %s is refused: %s', (text, at, reason) => {
    expect(understand(text, at)).toEqual({ reason: expect.stringMatching(reason) });
  });

  it('says the time was read in UTC when it refuses a time it could not place in the person’s zone', () => {
    expect(understand('10:30', '2026-11-25T11:00:00Z', null)).toEqual({
      reason:
        "10:30 has passed (it is 11:00 in UTC), and the next 10:30 is more than 12 hours away. Did you mean 22:30 (10:30pm)? (I couldn't check your timezone, so I read the time in UTC.)",
    });
  });

  it('names the New York gap too', () => {
    expect(understand('2:15am', '2026-03-08T06:00:00Z', 'America/New_York')).toEqual({
      reason: expect.stringMatching(
        /2:15am does not exist in America\/New_York on 8 March: the clocks jump from 02:00 to 03:00/,
      ),
    });
  });

  it.each([
    'flat whites please',
    '2 flat whites',
    'in soon',
    'noon-ish coffee',
    'half past ten', // chrono-node does not read it: it stays a note
    'tonight we go to Blue Door',
  ])('reads "%s" as a note without a pickup time', (text) => {
    expect(understand(text, NINE)).toMatchObject({ pickupAt: null, note: text });
  });
});

describe('/coffee notes (what Slack sends → what the person typed)', () => {
  it.each([
    ['in 30m M&amp;S run &lt;3', 'M&S run <3'],
    ['M&amp;amp;S', 'M&amp;S'],
    ['with <@U0002|grace> in <#C0001|coffee>', 'with @grace in #coffee'],
    ['<!here> coffee <!subteam^S1|@baristas>', '@here coffee @baristas'],
    ['10:30 see <https://blue.door|blue.door>', 'see blue.door'],
  ])('"%s" → note %j', (wire, note) => {
    expect(understand(wire, NINE)).toMatchObject({ note });
  });

  it('keeps mentions, channel links and URLs as parts, never broadcasts', () => {
    const command = readCoffeeCommand(
      decodeSlackText('in 20m with <@U0002|grace> <!here> <https://x.test|x>'),
    );
    expect(command).toMatchObject({
      kind: 'start_run',
      note: 'with @grace @here x',
      noteParts: [
        { type: 'text', text: 'with ' },
        { type: 'user', userId: 'U0002', text: '@grace' },
        { type: 'text', text: ' @here ' },
        { type: 'link', url: 'https://x.test', text: 'x' },
      ],
    });
    expect(readCoffeeCommand(decodeSlackText('plain &amp; simple'))).toMatchObject({ noteParts: null });
  });

  it('counts the note in the characters the person typed, not in entities', () => {
    const amps = '&amp;'.repeat(NOTE_MAX_LENGTH);
    expect(understand(amps, NINE)).toMatchObject({ note: '&'.repeat(NOTE_MAX_LENGTH) });
    expect(understand(`${amps}&amp;`, NINE)).toEqual({
      reason: `The note is ${NOTE_MAX_LENGTH + 1} characters; keep it to ${NOTE_MAX_LENGTH}.`,
    });
    expect(understand('🧋'.repeat(NOTE_MAX_LENGTH), NINE)).toMatchObject({
      note: '🧋'.repeat(NOTE_MAX_LENGTH),
    });
    const mention = '<@U0002|grace>'.repeat(40); // 40 × "@grace" = 240 characters
    expect(plainText(decodeSlackText(mention))).toHaveLength(240);
    expect(understand(mention, NINE)).toMatchObject({ note: '@grace'.repeat(40) });
  });

  it('recognises help and admin', () => {
    expect(understand('help', NINE)).toEqual({ kind: 'help' });
    expect(understand(' ADMIN ', NINE)).toEqual({ kind: 'admin' });
    expect(USAGE).toContain('/coffee [pickup time] [note]');
  });
});

describe('the confirmation of a started run', () => {
  const confirm = (text: string, at: string, zone: string | null) => {
    const command = readCoffeeCommand(decodeSlackText(text));
    if (command.kind !== 'start_run') throw new Error(command.kind);
    const pickup = command.pickup ? resolvePickup(command.pickup, new Date(at), zone) : null;
    return startConfirmation(pickup?.ok ? pickup : null, command.pickup?.kind ?? null);
  };

  it.each([
    ['10:30 oat', BERLIN, '☕ Starting your coffee run — pickup at 10:30 (Europe/Berlin), in 1 h 30 min.'],
    ['2:30 p.m.', BERLIN, '☕ Starting your coffee run — pickup at 2:30 PM (Europe/Berlin), in 5 h 30 min.'],
    [
      '10:30',
      null,
      "☕ Starting your coffee run — pickup read as 10:30 UTC (in 2 h 30 min) — I couldn't check your timezone.",
    ],
    [
      'in 20m',
      null,
      '☕ Starting your coffee run — pickup in 20 min, at <!date^1795594800^{time}|08:20 UTC>.',
    ],
    ['oat', BERLIN, '☕ Starting your coffee run — no pickup time set. The run message will appear here.'],
  ])('"%s" in %s: %s', (text, zone, expected) => {
    expect(confirm(text, NINE, zone)).toBe(expected);
  });

  it('says "tomorrow" for a pickup after midnight', () => {
    expect(confirm('00:15 night shift', '2026-11-25T22:50:00Z', BERLIN)).toBe(
      '☕ Starting your coffee run — pickup at 00:15 tomorrow (Europe/Berlin), in 25 min.',
    );
  });

  it.each([
    [5, 'in 5 min'],
    [60, 'in 1 h'],
    [125, 'in 2 h 5 min'],
  ])('describes %i minutes as "%s"', (minutes, words) => {
    expect(describeWait(minutes)).toBe(words);
  });
});
