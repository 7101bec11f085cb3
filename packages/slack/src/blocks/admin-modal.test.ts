import { validateChannelSettings } from '@coffeebuddy/contracts';
import { BLOCK_KIT_LIMITS } from '../block-kit';
import {
  ADMIN_MODAL,
  adminFormFromValues,
  adminModalErrors,
  adminValuesFromState,
  buildAdminModal,
  buildResetModal,
  confirmsChannel,
  describeResetCounts,
  parseAdminViewMetadata,
  resetConfirmationProblem,
} from './admin-modal';

const settings = {
  enabled: true,
  remindersEnabled: false,
  lastCallEnabled: true,
  reminderOffsetMinutes: 10,
  fairnessWindowDays: 30,
  dataRetentionDays: 90,
  adminUserIds: ['U0003'],
  timezone: 'Europe/Berlin',
};
const metadata = {
  channelId: 'C0001',
  channelName: 'coffee',
  responseUrl: 'https://hooks.slack.com/commands/T1/1/x',
};

describe('the admin modal', () => {
  it('is prefilled with the settings, within Block Kit’s limits, and carries the channel', () => {
    const view = buildAdminModal({ ...metadata, settings }) as {
      blocks: Record<string, unknown>[];
      private_metadata: string;
      title: { text: string };
    };
    expect(view.title.text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.viewTitle);
    expect(parseAdminViewMetadata(view.private_metadata)).toEqual({ ...metadata, shown: settings });
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('"initial_value":"10"');
    expect(text).toContain('"initial_users":["U0003"]');
    expect(text).toContain('"initial_value":"Europe/Berlin"');
    const flags = view.blocks.find((b) => b.block_id === ADMIN_MODAL.inputs.flags.blockId) as {
      element: { initial_options: { value: string }[] };
    };
    expect(flags.element.initial_options.map((o) => o.value)).toEqual(['enabled', 'last_call']);
  });

  it('reads back what Slack sends as the form the contracts validate, and maps errors to its blocks', () => {
    const values = adminValuesFromState({
      switches: {
        flags: { type: 'checkboxes', selected_options: [{ value: 'enabled' }, { value: 'reminders' }] },
      },
      reminder_offset: { minutes: { type: 'plain_text_input', value: '0' } },
      fairness_window: { days: { type: 'plain_text_input', value: '30' } },
      retention: { days: { type: 'plain_text_input', value: '90' } },
      admins: { users: { type: 'multi_users_select', selected_users: ['U0002', 'U0001'] } },
      timezone: { zone: { type: 'plain_text_input', value: null } },
    });
    expect(values).toEqual({
      'switches.flags': 'enabled,reminders',
      'reminder_offset.minutes': '0',
      'fairness_window.days': '30',
      'retention.days': '90',
      'admins.users': 'U0002,U0001',
      'timezone.zone': '',
    });
    const form = adminFormFromValues(values);
    expect(form).toMatchObject({
      enabled: true,
      remindersEnabled: true,
      lastCallEnabled: false,
      adminUserIds: ['U0002', 'U0001'],
    });
    const result = validateChannelSettings(form);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(adminModalErrors(result.errors)).toEqual({ reminder_offset: expect.any(String) });
  });

  it('refuses metadata it did not write', () => {
    for (const raw of [
      '',
      'not json',
      '{"channelId":"X1"}',
      '{"channelId":"C1\\u0000"}',
      'x'.repeat(3001),
      null,
    ]) {
      expect(parseAdminViewMetadata(raw)).toBeNull();
    }
    expect(parseAdminViewMetadata('{"channelId":"C0001","responseUrl":"javascript:alert(1)"}')).toEqual({
      channelId: 'C0001',
      channelName: '',
    });
  });
});

describe('the reset confirmation', () => {
  it('says what goes, and accepts the channel’s name however it is typed', () => {
    const counts = { runs: 1, orders: 12, userPreferences: 0, runnerStats: 2 };
    expect(describeResetCounts(counts)).toBe('1 run, 12 orders, 0 saved orders and 2 runner records');
    expect(JSON.stringify(buildResetModal({ ...metadata, counts }))).toContain('Type coffee to confirm');
    for (const typed of ['coffee', ' #coffee ', 'COFFEE'])
      expect(confirmsChannel(typed, metadata)).toBe(true);
    for (const typed of ['', 'coffe', '##coffee', 'general'])
      expect(confirmsChannel(typed, metadata)).toBe(false);
    expect(resetConfirmationProblem('', metadata)).toBe('Type coffee to confirm the reset.');
    expect(resetConfirmationProblem('tea', metadata)).toMatch(/type coffee exactly/);
    // A channel whose name Slack did not give: its ID is what is typed.
    expect(confirmsChannel('c0001', { channelId: 'C0001', channelName: '' })).toBe(true);
  });
});
