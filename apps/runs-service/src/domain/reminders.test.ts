import { reminderDueAt, reminderSchedules } from './reminders';

const channel = { enabled: true, remindersEnabled: true, reminderOffsetMinutes: 10, lastCallEnabled: true };
const base = {
  runId: '0b9e7a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b',
  channelId: 'C0001',
  status: 'open' as const,
  pickupAt: new Date('2026-11-25T10:30:00Z'),
  runnerId: null,
  version: 3,
  channel,
  now: new Date('2026-11-25T10:00:00Z'),
};

describe('reminderDueAt', () => {
  it.each([
    // Europe/Berlin springs forward at 02:00 local (01:00 UTC) on 2027-03-28: 03:10 local is 01:10 UTC.
    [
      'spring forward: pickup 03:10 CEST, 30 min before is 01:40 CET, 30 real minutes',
      '2027-03-28T01:10:00Z',
      30,
      '2027-03-28T00:40:00Z',
    ],
    // Falls back at 03:00 CEST (01:00 UTC) on 2026-10-25: 02:30 happens twice; instants do not care.
    [
      'fall back: pickup at the second 02:30 (00:30 UTC), 45 min before',
      '2026-10-25T01:30:00Z',
      45,
      '2026-10-25T00:45:00Z',
    ],
    ['an ordinary day', '2026-11-25T10:30:00Z', 5, '2026-11-25T10:25:00Z'],
  ])('%s', (_label, pickup, offset, due) => {
    expect(reminderDueAt(new Date(pickup), offset).toISOString()).toBe(new Date(due).toISOString());
  });
});

describe('reminderSchedules', () => {
  it('schedules the runner reminder and the last call for an open run, with the channel settings', () => {
    const schedules = reminderSchedules(base);
    expect(schedules.map((s) => s.kind)).toEqual(['runner', 'last_call']);
    expect(schedules[0]).toEqual({
      runId: base.runId,
      channelId: 'C0001',
      runnerId: null,
      kind: 'runner',
      pickupAt: '2026-11-25T10:30:00.000Z',
      remindAt: '2026-11-25T10:20:00.000Z',
      channelConfig: { enabled: true, reminderOffsetMinutes: 10, lastCallEnabled: true },
      version: 3,
    });
  });

  it('schedules only the runner reminder once closed, and nothing without a runner, a pickup time, or once cancelled', () => {
    expect(
      reminderSchedules({ ...base, status: 'closed', runnerId: 'U0002' }).map((s) => [s.kind, s.runnerId]),
    ).toEqual([['runner', 'U0002']]);
    expect(reminderSchedules({ ...base, status: 'closed', runnerId: null })).toEqual([]);
    expect(reminderSchedules({ ...base, pickupAt: null })).toEqual([]);
    expect(reminderSchedules({ ...base, status: 'cancelled' })).toEqual([]);
  });

  it('says which kind is off: the channel, its runner reminders, its last calls', () => {
    const enabled = (over: Partial<typeof channel>) =>
      reminderSchedules({ ...base, channel: { ...channel, ...over } }).map((s) => [
        s.kind,
        s.channelConfig.enabled,
      ]);
    expect(enabled({ enabled: false })).toEqual([
      ['runner', false],
      ['last_call', false],
    ]);
    expect(enabled({ remindersEnabled: false })).toEqual([
      ['runner', false],
      ['last_call', true],
    ]);
    expect(enabled({ lastCallEnabled: false })).toEqual([
      ['runner', true],
      ['last_call', false],
    ]);
  });

  it('leaves out a last call that would be due already (an offset longer than the time to pickup)', () => {
    const soon = { ...base, now: new Date('2026-11-25T10:21:00Z') };
    expect(reminderSchedules(soon).map((s) => s.kind)).toEqual(['runner']);
    const justInTime = { ...base, now: new Date('2026-11-25T10:19:00Z') };
    expect(reminderSchedules(justInTime).map((s) => s.kind)).toEqual(['runner', 'last_call']);
  });
});
