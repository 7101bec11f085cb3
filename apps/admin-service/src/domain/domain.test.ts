import { authorityOf, refusalText } from './authority';
import { decideAwayUntil } from './away';
import { auditAction, auditDiff, savedText, settingsOf } from './settings';

describe('authorityOf', () => {
  it.each([
    ['on the channel list', 'U1', ['U1'], null, 'channel_admin'],
    ['a workspace owner', 'U1', [], { isAdmin: false, isOwner: true }, 'workspace_owner'],
    ['a workspace admin', 'U1', [], { isAdmin: true, isOwner: false }, 'workspace_admin'],
    ['nobody special', 'U1', ['U2'], { isAdmin: false, isOwner: false }, null],
    ['unknown to Slack', 'U1', [], null, null],
  ] as const)('%s', (_name, user, list, role, as) => {
    const authority = authorityOf(user, list, role);
    expect(authority.allowed ? authority.as : null).toBe(as);
  });

  it('tells who may instead', () => {
    expect(refusalText('C1', [])).toBe(
      "Only workspace admins and owners, or the channel's admins, can change CoffeeBuddy's settings for <#C1>. Nothing was changed.",
    );
    expect(refusalText('C1', ['U7', 'U8'])).toContain('(here: <@U7>, <@U8>)');
  });
});

describe('decideAwayUntil', () => {
  it.each([
    ['2026-12-03', { ok: true, awayUntil: '2026-12-03' }],
    ['2027-12-04', { ok: true, awayUntil: '2027-12-04' }],
    ['2027-12-05', { ok: false }],
    ['2026-12-02', { ok: false }],
    ['2026-02-30', { ok: false }],
    [undefined, { ok: false }],
  ] as const)('%s', (picked, expected) => {
    expect(decideAwayUntil(picked, '2026-12-03')).toMatchObject(expected);
  });
});

describe('settings', () => {
  const before = settingsOf(null);
  const after = { ...before, enabled: false, reminderOffsetMinutes: 15 };

  it('a channel never configured has the defaults', () => {
    expect(before).toEqual({
      enabled: true,
      remindersEnabled: true,
      lastCallEnabled: false,
      reminderOffsetMinutes: 5,
      fairnessWindowDays: 30,
      dataRetentionDays: 90,
      adminUserIds: [],
      timezone: null,
    });
  });

  it('audits what changed and names turning the channel off', () => {
    expect(auditAction(before, after)).toBe('channel_disabled');
    expect(auditAction(after, before)).toBe('channel_enabled');
    expect(auditAction(before, { ...before, timezone: 'UTC' })).toBe('config_changed');
    expect(
      auditDiff([
        { field: 'enabled', before: true, after: false },
        { field: 'reminderOffsetMinutes', before: 5, after: 15 },
      ]),
    ).toEqual({
      before: { enabled: true, reminderOffsetMinutes: 5 },
      after: { enabled: false, reminderOffsetMinutes: 15 },
    });
  });

  it('confirms each change, from → to', () => {
    expect(savedText('C1', before, after)).toBe(
      [
        "Saved CoffeeBuddy's settings for <#C1>:",
        '• Coffee runs: on → off',
        '• Reminder offset: 5 minutes → 15 minutes',
        'Coffee runs are now off here; an open run is cancelled.',
      ].join('\n'),
    );
  });
});
