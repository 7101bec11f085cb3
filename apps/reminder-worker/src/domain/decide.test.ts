import { decideReminder, type ReminderState } from './decide';

const now = new Date('2026-11-25T10:20:00Z');
const pickupAt = new Date('2026-11-25T10:30:00Z');
const due = { kind: 'runner' as const, version: 2, remindAt: new Date('2026-11-25T10:20:00Z') };
const channel = { enabled: true, remindersEnabled: true, lastCallEnabled: true };
const closed: ReminderState = {
  run: { status: 'closed', runnerId: 'U0002', reminderVersion: 2, pickupAt },
  channel,
};
const open: ReminderState = {
  run: { ...(closed.run as NonNullable<ReminderState['run']>), status: 'open', runnerId: null },
  channel,
};

describe('decideReminder', () => {
  it.each<[string, Parameters<typeof decideReminder>[0], ReminderState, ReturnType<typeof decideReminder>]>([
    [
      'runner reminder of a closed run goes to its runner',
      due,
      closed,
      { action: 'send', kind: 'runner', runnerId: 'U0002' },
    ],
    [
      'runner reminder waits while the run is open',
      due,
      open,
      { action: 'wait', reason: expect.stringContaining('still open') },
    ],
    [
      'a newer version replaced it',
      { ...due, version: 1 },
      closed,
      { action: 'skip', outcome: 'stale', reason: 'version 1 < 2' },
    ],
    [
      'the run is gone',
      due,
      { run: null, channel },
      { action: 'skip', outcome: 'cancelled', reason: expect.any(String) },
    ],
    [
      'the run was cancelled',
      due,
      { ...closed, run: { ...(closed.run as NonNullable<ReminderState['run']>), status: 'cancelled' } },
      { action: 'skip', outcome: 'cancelled', reason: expect.any(String) },
    ],
    [
      'closed without a runner',
      due,
      { ...closed, run: { ...(closed.run as NonNullable<ReminderState['run']>), runnerId: null } },
      { action: 'skip', outcome: 'cancelled', reason: 'the run closed without a runner' },
    ],
    [
      'channel disabled',
      due,
      { ...closed, channel: { ...channel, enabled: false } },
      { action: 'skip', outcome: 'skipped', reason: 'the channel is disabled' },
    ],
    [
      'channel reminders off',
      due,
      { ...closed, channel: { ...channel, remindersEnabled: false } },
      { action: 'skip', outcome: 'skipped', reason: expect.stringContaining('runner reminders are off') },
    ],
    [
      'pickup passed',
      due,
      {
        ...closed,
        run: {
          ...(closed.run as NonNullable<ReminderState['run']>),
          pickupAt: new Date('2026-11-25T10:19:59Z'),
        },
      },
      { action: 'skip', outcome: 'missed', reason: expect.any(String) },
    ],
    [
      'last call while open',
      { ...due, kind: 'last_call' },
      open,
      { action: 'send', kind: 'last_call', runnerId: null },
    ],
    [
      'last call with last calls off',
      { ...due, kind: 'last_call' },
      { ...open, channel: { ...channel, lastCallEnabled: false } },
      { action: 'skip', outcome: 'skipped', reason: expect.stringContaining('last calls off') },
    ],
    [
      'last call with runner reminders off: its own switch',
      { ...due, kind: 'last_call' },
      { ...open, channel: { ...channel, remindersEnabled: false } },
      { action: 'send', kind: 'last_call', runnerId: null },
    ],
    [
      'last call once closed',
      { ...due, kind: 'last_call' },
      closed,
      { action: 'skip', outcome: 'skipped', reason: 'the run is already closed' },
    ],
  ])('%s', (_label, reminder, state, expected) => {
    expect(decideReminder(reminder, state, now)).toEqual(expected);
  });
});
