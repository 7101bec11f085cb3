import {
  CHANNEL_SETTING_BOUNDS,
  type ChannelSettings,
  type ChannelSettingsErrors,
  type ChannelSettingsForm,
  settingsForm,
  validateChannelSettings,
} from '@coffeebuddy/contracts';
import { BLOCK_KIT_LIMITS, type Block, clampText, mrkdwnContext, mrkdwnSection } from '../block-kit';
import { escapeMrkdwn } from '../slack-text';

/**
 * The channel admin views (admin-service, DESIGN §11): the settings modal `/coffee admin` opens,
 * and the reset confirmation pushed on top of it from its *Reset channel history…* button. The
 * gateway reads the submitted state with {@link adminFormFromState} and validates it with the
 * contracts' `validateChannelSettings`; admin-service reads the same values from the published
 * command with {@link adminFormFromValues} and validates them again.
 */

const flag = { enabled: 'enabled', reminders: 'reminders', lastCall: 'last_call' } as const;

export const ADMIN_MODAL = {
  callbackId: 'admin_settings',
  /** block_id and action_id of each input. */
  inputs: {
    flags: { blockId: 'switches', actionId: 'flags' },
    reminderOffsetMinutes: { blockId: 'reminder_offset', actionId: 'minutes' },
    fairnessWindowDays: { blockId: 'fairness_window', actionId: 'days' },
    dataRetentionDays: { blockId: 'retention', actionId: 'days' },
    adminUserIds: { blockId: 'admins', actionId: 'users' },
    timezone: { blockId: 'timezone', actionId: 'zone' },
  },
  flags: flag,
  /** The button that pushes the reset confirmation. */
  resetActionId: 'admin_reset',
} as const;

export const RESET_MODAL = {
  callbackId: 'admin_reset_confirm',
  blockId: 'confirm',
  actionId: 'channel_name',
} as const;

/** What both admin views carry in `private_metadata`: the channel they administer. */
export interface AdminViewMetadata {
  channelId: string;
  /** The channel's name as Slack gave it (what the reset asks to be typed); empty when unknown. */
  channelName: string;
  /**
   * The `/coffee admin` command's response_url (valid 30 minutes, 5 answers): confirmations go
   * through it, so they reach the admin even where the app is not a member of the channel.
   */
  responseUrl?: string;
  /**
   * The settings as the modal showed them: saving applies only what the admin changed from
   * these, so two admins editing different settings at once do not undo each other.
   */
  shown?: ChannelSettings;
}

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 1000) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Settings read back from metadata, checked by the contracts' rules; null when they are not settings. */
function settingsFrom(value: unknown): ChannelSettings | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const bools = ['enabled', 'remindersEnabled', 'lastCallEnabled'] as const;
  const numbers = ['reminderOffsetMinutes', 'fairnessWindowDays', 'dataRetentionDays'] as const;
  if (bools.some((k) => typeof v[k] !== 'boolean') || numbers.some((k) => !Number.isInteger(v[k])))
    return null;
  if (!Array.isArray(v.adminUserIds) || v.adminUserIds.some((id) => typeof id !== 'string')) return null;
  if (v.timezone !== null && typeof v.timezone !== 'string') return null;
  const checked = validateChannelSettings(settingsForm(v as unknown as ChannelSettings));
  return checked.ok ? checked.settings : null;
}

/** The metadata both admin views carry (and the reset button's value), as a string. */
export function adminViewMetadata(
  metadata: AdminViewMetadata,
  options: { withShown?: boolean } = {},
): string {
  return JSON.stringify({
    channelId: metadata.channelId,
    channelName: metadata.channelName,
    ...(metadata.responseUrl ? { responseUrl: metadata.responseUrl } : {}),
    ...(options.withShown && metadata.shown ? { shown: metadata.shown } : {}),
  });
}

/** The admin views' metadata back from Slack, or null when it is not what these builders wrote. */
export function parseAdminViewMetadata(raw: unknown): AdminViewMetadata | null {
  if (typeof raw !== 'string' || raw.length > BLOCK_KIT_LIMITS.privateMetadata) return null;
  try {
    const value = JSON.parse(raw) as Partial<AdminViewMetadata> | null;
    if (typeof value?.channelId !== 'string' || !CHANNEL_ID.test(value.channelId)) return null;
    const shown = settingsFrom(value.shown);
    return {
      channelId: value.channelId,
      channelName: typeof value.channelName === 'string' ? value.channelName.slice(0, 255) : '',
      ...(isHttpUrl(value.responseUrl) ? { responseUrl: value.responseUrl } : {}),
      ...(shown ? { shown } : {}),
    };
  } catch {
    return null;
  }
}

const plain = (text: string) => ({ type: 'plain_text', text });
const option = (value: string, text: string) => ({ text: plain(text), value });

function textInput(
  input: { blockId: string; actionId: string },
  label: string,
  value: string,
  hint: string,
  optional = false,
): Block {
  return {
    type: 'input',
    block_id: input.blockId,
    label: plain(label),
    hint: plain(hint),
    ...(optional ? { optional: true } : {}),
    element: {
      type: 'plain_text_input',
      action_id: input.actionId,
      max_length: 64,
      ...(value !== '' ? { initial_value: value } : {}),
    },
  };
}

/** The settings modal, prefilled with the channel's settings now. Pure. */
export function buildAdminModal(
  input: AdminViewMetadata & { settings: ChannelSettings },
): Record<string, unknown> {
  const { settings } = input;
  const B = CHANNEL_SETTING_BOUNDS;
  const I = ADMIN_MODAL.inputs;
  const flagOptions = [
    option(flag.enabled, 'Coffee runs in this channel'),
    option(flag.reminders, 'Remind the runner before pickup'),
    option(flag.lastCall, 'Post a last call in the channel before pickup'),
  ];
  const ticked = flagOptions.filter(
    (o) =>
      (o.value === flag.enabled && settings.enabled) ||
      (o.value === flag.reminders && settings.remindersEnabled) ||
      (o.value === flag.lastCall && settings.lastCallEnabled),
  );
  const metadata = adminViewMetadata(input);
  const viewMetadata = adminViewMetadata({ ...input, shown: settings }, { withShown: true });
  const blocks: Block[] = [
    mrkdwnSection(`Settings for <#${input.channelId}>. Changes are recorded with your name.`),
    {
      type: 'input',
      block_id: I.flags.blockId,
      label: plain('Switches'),
      optional: true,
      element: {
        type: 'checkboxes',
        action_id: I.flags.actionId,
        options: flagOptions,
        ...(ticked.length > 0 ? { initial_options: ticked } : {}),
      },
    },
    textInput(
      I.reminderOffsetMinutes,
      'Remind the runner (minutes before pickup)',
      String(settings.reminderOffsetMinutes),
      `${B.reminderOffsetMinutes.min}–${B.reminderOffsetMinutes.max} minutes; the last call goes out at the same time.`,
    ),
    textInput(
      I.fairnessWindowDays,
      'Fairness window (days)',
      String(settings.fairnessWindowDays),
      `${B.fairnessWindowDays.min}–${B.fairnessWindowDays.max} days: the runner is whoever served fewest runs in this window.`,
    ),
    textInput(
      I.dataRetentionDays,
      'Keep history (days)',
      String(settings.dataRetentionDays),
      `${B.dataRetentionDays.min}–${B.dataRetentionDays.max} days, at least the fairness window; older runs, orders and unused saved orders are deleted.`,
    ),
    {
      type: 'input',
      block_id: I.adminUserIds.blockId,
      label: plain('Channel admins'),
      hint: plain(
        'Besides workspace admins and owners, these people may change these settings and close any run.',
      ),
      optional: true,
      element: {
        type: 'multi_users_select',
        action_id: I.adminUserIds.actionId,
        ...(settings.adminUserIds.length > 0 ? { initial_users: settings.adminUserIds } : {}),
      },
    },
    textInput(
      I.timezone,
      'Channel timezone',
      settings.timezone ?? '',
      'For people whose Slack profile has no timezone, e.g. Europe/Berlin. Empty: UTC.',
      true,
    ),
    { type: 'divider' },
    {
      ...mrkdwnSection(
        "*Reset* deletes this channel's runs, orders, saved orders and runner figures. The settings and the audit log stay.",
      ),
      accessory: {
        type: 'button',
        action_id: ADMIN_MODAL.resetActionId,
        style: 'danger',
        text: plain('Reset history…'),
        // What the pushed confirmation needs (a click carries no view metadata to the service).
        value: metadata,
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: ADMIN_MODAL.callbackId,
    private_metadata: viewMetadata,
    title: plain('CoffeeBuddy settings'),
    submit: plain('Save'),
    close: plain('Cancel'),
    blocks,
  };
}

/** What a reset removes, per kind (the confirmation shows it before, the answer after). */
export interface ResetCounts {
  runs: number;
  orders: number;
  userPreferences: number;
  runnerStats: number;
}

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "3 runs, 12 orders, 4 saved orders and 2 runner records". */
export function describeResetCounts(counts: ResetCounts): string {
  return [
    plural(counts.runs, 'run', 'runs'),
    plural(counts.orders, 'order', 'orders'),
    plural(counts.userPreferences, 'saved order', 'saved orders'),
  ]
    .join(', ')
    .concat(` and ${plural(counts.runnerStats, 'runner record', 'runner records')}`);
}

/** The reset confirmation (pushed on the settings modal): type the channel name to confirm. Pure. */
export function buildResetModal(input: AdminViewMetadata & { counts: ResetCounts }): Record<string, unknown> {
  const name = input.channelName || input.channelId;
  return {
    type: 'modal',
    callback_id: RESET_MODAL.callbackId,
    private_metadata: adminViewMetadata(input),
    title: plain('Reset history'),
    submit: plain('Reset'),
    close: plain('Back'),
    blocks: [
      mrkdwnSection(
        `This deletes ${describeResetCounts(input.counts)} of <#${input.channelId}>, for good — runner records hold the runs people served and their opt-ins to be picked again. The settings and the audit log stay.`,
      ),
      {
        type: 'input',
        block_id: RESET_MODAL.blockId,
        label: plain(clampText(`Type ${name} to confirm`, 2000)),
        element: { type: 'plain_text_input', action_id: RESET_MODAL.actionId, max_length: 255 },
      },
      mrkdwnContext(`A reset cannot be undone. It is recorded with your name.`),
    ],
  };
}

/**
 * Whether `typed` names the channel: as Slack shows it, with or without the leading `#`, in any
 * case, surrounding spaces ignored. An unknown name (empty) accepts the channel ID instead.
 */
export function confirmsChannel(typed: string, metadata: AdminViewMetadata): boolean {
  const expected = (metadata.channelName || metadata.channelId).toLowerCase();
  return typed.trim().replace(/^#/, '').toLowerCase() === expected;
}

export function resetConfirmationProblem(typed: string, metadata: AdminViewMetadata): string | null {
  if (confirmsChannel(typed, metadata)) return null;
  const name = metadata.channelName || metadata.channelId;
  return typed.trim() === ''
    ? `Type ${name} to confirm the reset.`
    : `That is not the channel's name — type ${name} exactly to confirm.`;
}

// ---- reading the submitted settings ----

/** One input's state as Slack sends it in `view.state.values`. */
export interface InputState {
  type?: string;
  value?: string | null;
  selected_options?: { value?: string }[] | null;
  selected_users?: string[] | null;
  selected_date?: string | null;
}

type StateValues = Record<string, Record<string, InputState> | undefined>;

/**
 * The submitted settings as flat values keyed `<block_id>.<action_id>` (the ViewSubmission
 * contract's `values`): text as typed, checkboxes and users as their values joined by commas.
 */
export function adminValuesFromState(state: StateValues): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { blockId, actionId } of Object.values(ADMIN_MODAL.inputs)) {
    const input = state[blockId]?.[actionId];
    const many = input?.selected_options
      ? input.selected_options.map((o) => o.value ?? '')
      : (input?.selected_users ?? null);
    values[`${blockId}.${actionId}`] = many ? many.join(',') : (input?.value ?? '');
  }
  return values;
}

/** The settings form from flat values (as {@link adminValuesFromState} makes them). */
export function adminFormFromValues(values: Record<string, string | null | undefined>): ChannelSettingsForm {
  const I = ADMIN_MODAL.inputs;
  const get = (input: { blockId: string; actionId: string }) =>
    values[`${input.blockId}.${input.actionId}`] ?? '';
  const list = (text: string) => text.split(',').filter((v) => v !== '');
  const flags = list(get(I.flags));
  return {
    enabled: flags.includes(flag.enabled),
    remindersEnabled: flags.includes(flag.reminders),
    lastCallEnabled: flags.includes(flag.lastCall),
    reminderOffsetMinutes: get(I.reminderOffsetMinutes),
    fairnessWindowDays: get(I.fairnessWindowDays),
    dataRetentionDays: get(I.dataRetentionDays),
    adminUserIds: list(get(I.adminUserIds)),
    timezone: get(I.timezone),
  };
}

/** Field errors keyed by the modal's block IDs, for `response_action: errors`. */
export function adminModalErrors(errors: ChannelSettingsErrors): Record<string, string> {
  const I = ADMIN_MODAL.inputs;
  const byBlock: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors)) {
    const input = field in I ? I[field as keyof typeof I] : I.flags;
    if (message) byBlock[input.blockId] = message;
  }
  return byBlock;
}

/** How a setting's value reads in the confirmation ("on", "10 minutes", "<@U1>, <@U2>"). */
export function describeSetting(field: keyof ChannelSettings, value: unknown): string {
  switch (field) {
    case 'enabled':
    case 'remindersEnabled':
    case 'lastCallEnabled':
      return value ? 'on' : 'off';
    case 'reminderOffsetMinutes':
      return plural(Number(value), 'minute', 'minutes');
    case 'fairnessWindowDays':
    case 'dataRetentionDays':
      return plural(Number(value), 'day', 'days');
    case 'adminUserIds': {
      const ids = (value as string[]) ?? [];
      return ids.length === 0 ? 'nobody' : ids.map((id) => `<@${id}>`).join(', ');
    }
    case 'timezone':
      return value ? escapeMrkdwn(String(value)) : 'UTC';
  }
}

export const SETTING_LABELS: Record<keyof ChannelSettings, string> = {
  enabled: 'Coffee runs',
  remindersEnabled: 'Runner reminders',
  lastCallEnabled: 'Last call',
  reminderOffsetMinutes: 'Reminder offset',
  fairnessWindowDays: 'Fairness window',
  dataRetentionDays: 'History kept',
  adminUserIds: 'Channel admins',
  timezone: 'Channel timezone',
};
