import {
  CHANNEL_ADMINS_MAX,
  type ChannelSettingsForm,
  canonicalTimeZone,
  diffChannelSettings,
  isKnownTimeZone,
  mergeChannelSettings,
  validateChannelSettings,
} from './channel-settings';

const form = (over: Partial<ChannelSettingsForm> = {}): ChannelSettingsForm => ({
  enabled: true,
  remindersEnabled: true,
  lastCallEnabled: false,
  reminderOffsetMinutes: '5',
  fairnessWindowDays: '30',
  dataRetentionDays: '90',
  adminUserIds: [],
  timezone: '',
  ...over,
});

describe('validateChannelSettings', () => {
  it.each([
    ['reminderOffsetMinutes', '1', true],
    ['reminderOffsetMinutes', '120', true],
    ['reminderOffsetMinutes', '0', false],
    ['reminderOffsetMinutes', '121', false],
    ['reminderOffsetMinutes', ' 10 ', true],
    ['reminderOffsetMinutes', '1e2', false],
    ['reminderOffsetMinutes', '-5', false],
    ['fairnessWindowDays', '1', true],
    ['fairnessWindowDays', '90', true],
    ['fairnessWindowDays', '366', false],
    ['dataRetentionDays', '3650', true],
    ['dataRetentionDays', '3651', false],
    ['dataRetentionDays', '30', true],
    ['dataRetentionDays', '29', false], // shorter than the 30-day window
  ] as const)('%s = %j → valid %s', (field, value, valid) => {
    const result = validateChannelSettings(form({ [field]: value }));
    expect(result.ok).toBe(valid);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual([field]);
  });

  it('parses what it accepts: numbers, sorted unique admins, the timezone or UTC', () => {
    const result = validateChannelSettings(
      form({
        reminderOffsetMinutes: '15',
        adminUserIds: ['U0002', 'U0001', 'U0002', ' '],
        timezone: ' Europe/Berlin ',
      }),
    );
    expect(result).toEqual({
      ok: true,
      settings: {
        enabled: true,
        remindersEnabled: true,
        lastCallEnabled: false,
        reminderOffsetMinutes: 15,
        fairnessWindowDays: 30,
        dataRetentionDays: 90,
        adminUserIds: ['U0001', 'U0002'],
        timezone: 'Europe/Berlin',
      },
    });
    expect(validateChannelSettings(form()).ok && validateChannelSettings(form())).toMatchObject({
      settings: { timezone: null },
    });
  });

  it('names every wrong field at once, each saying what to enter', () => {
    const result = validateChannelSettings(
      form({
        reminderOffsetMinutes: 'soon',
        fairnessWindowDays: '',
        timezone: 'Mars/Base',
        adminUserIds: ['C1'],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      reminderOffsetMinutes: 'Enter a whole number of minutes, between 1 and 120 minutes.',
      fairnessWindowDays: 'Enter a number of days (between 1 and 365 days).',
      adminUserIds: 'Pick people from the list.',
      timezone: expect.stringMatching(/^"Mars\/Base" is not a timezone I know/),
    });
  });

  it(`refuses more than ${CHANNEL_ADMINS_MAX} channel admins`, () => {
    const many = Array.from({ length: CHANNEL_ADMINS_MAX + 1 }, (_, i) => `U${String(i).padStart(4, '0')}`);
    expect(validateChannelSettings(form({ adminUserIds: many.slice(0, -1) })).ok).toBe(true);
    expect(validateChannelSettings(form({ adminUserIds: many }))).toMatchObject({
      ok: false,
      errors: { adminUserIds: `At most ${CHANNEL_ADMINS_MAX} channel admins.` },
    });
  });

  it('knows IANA zones and nothing else', () => {
    expect(
      ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'].map(isKnownTimeZone),
    ).toEqual([true, true, true, true]);
    expect(['Mars/Olympus', '', '../etc', 'Europe/Berlin; DROP'].map(isKnownTimeZone)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('diffChannelSettings', () => {
  it('lists only what changed, in the order people see the settings', () => {
    const before = validateChannelSettings(form());
    const after = validateChannelSettings(form({ timezone: 'UTC', enabled: false, adminUserIds: ['U0001'] }));
    if (!before.ok || !after.ok) throw new Error('fixtures must be valid');
    expect(diffChannelSettings(before.settings, after.settings)).toEqual([
      { field: 'enabled', before: true, after: false },
      { field: 'adminUserIds', before: [], after: ['U0001'] },
      { field: 'timezone', before: null, after: 'UTC' },
    ]);
    expect(diffChannelSettings(before.settings, before.settings)).toEqual([]);
  });
});

describe('mergeChannelSettings', () => {
  it('takes only what this person changed from what they saw: a save in between stays', () => {
    const parse = (over: Partial<ChannelSettingsForm>) => {
      const r = validateChannelSettings(form(over));
      if (!r.ok) throw new Error('fixture');
      return r.settings;
    };
    const shown = parse({});
    const current = parse({ reminderOffsetMinutes: '10' }); // another admin saved meanwhile
    const submitted = parse({ lastCallEnabled: true }); // this one ticked the last call only
    expect(mergeChannelSettings(current, shown, submitted)).toEqual(
      parse({ reminderOffsetMinutes: '10', lastCallEnabled: true }),
    );
    // The same field changed by both: the later save wins.
    expect(
      mergeChannelSettings(current, shown, parse({ reminderOffsetMinutes: '20' })).reminderOffsetMinutes,
    ).toBe(20);
  });
});

describe('timezones and numbers as people type them', () => {
  it('stores a timezone in its standard spelling and reads thousands separators', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(validateChannelSettings(form({ timezone: 'europe/berlin' }))).toMatchObject({
      ok: true,
      settings: { timezone: 'Europe/Berlin' },
    });
    expect(validateChannelSettings(form({ dataRetentionDays: '3,650' }))).toMatchObject({
      ok: true,
      settings: { dataRetentionDays: 3650 },
    });
    expect(validateChannelSettings(form({ dataRetentionDays: '3,65' })).ok).toBe(false);
  });
});
