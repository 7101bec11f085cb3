import { performance } from 'node:perf_hooks';
import { DEFAULT_APP_ID, type SlackEmulator } from './emulator';
import type { ResponseUrlContext } from './response-urls';
import { signSlackRequest } from './signing';
import { newEventId, newViewId } from './slack-ids';
import type { StoredMessage } from './web-api';
import { DEFAULT_TEAM_ID, DEFAULT_TEAM_NAME } from './workspace';

/**
 * Plays Slack's part towards the app's gateway: slash commands, interactions and Events API
 * callbacks, with the bodies, headers and signatures Slack sends. Triggers and response URLs
 * come from the emulator, so what the app does with them is real and recorded.
 */

export interface SlackDriverOptions {
  /** The app's public base URL, e.g. `http://127.0.0.1:3000`. */
  gatewayUrl: string;
  signingSecret: string;
  /** The in-process emulator, or the base URL of a running one (`http://127.0.0.1:3999`). */
  emulator: SlackEmulator | string;
  teamId?: string;
  apiAppId?: string;
  /** The legacy verification `token` field Slack still puts in payloads. */
  verificationToken?: string;
  /** Clock for `X-Slack-Request-Timestamp` (ms, default `Date.now`). */
  now?: () => number;
  paths?: { commands?: string; interactions?: string; events?: string };
}

/** Ways to send a request Slack would never send, to test the gateway's refusals. */
export interface SendOptions {
  /** `invalid`: a well-formed signature with the wrong secret; `missing`: no signature header. */
  signature?: 'invalid' | 'missing';
  /** Shifts `X-Slack-Request-Timestamp` (and the signed base string) by this many seconds. */
  timestampOffsetSeconds?: number;
  /** Signs the body, then sends a changed one. */
  tamperBody?: boolean;
  /** Header names to leave out, e.g. `['x-slack-request-timestamp']`. */
  omitHeaders?: string[];
  /** Extra headers. */
  headers?: Record<string, string>;
}

export interface SentRequest {
  url: string;
  rawBody: string;
  headers: Record<string, string>;
  /** The form fields (slash commands) or the JSON payload (interactions, events). */
  payload: Record<string, unknown>;
  triggerId?: string;
  responseUrl?: string;
  eventId?: string;
}

export interface DriverResponse {
  status: number;
  /** Parsed JSON when the answer is JSON, otherwise the text. */
  body: unknown;
  headers: Record<string, string>;
  latencyMs: number;
  sent: SentRequest;
}

export interface SlashCommandInput {
  command?: string;
  /**
   * What the person typed after the command. It is sent as Slack sends it for a command with
   * "Escape channels, users, and links" on (see `slackCommandText`).
   */
  text?: string;
  /** Sends exactly this as `text` instead (Slack's wire form), for sequences a composer cannot make. */
  sentText?: string;
  userId: string;
  channelId: string;
  teamId?: string;
  userName?: string;
  channelName?: string;
}

export interface BlockActionInput {
  actionId: string;
  userId: string;
  value?: string;
  blockId?: string;
  /** The element type (default: found in the message's blocks, else `button`). */
  actionType?: string;
  /** The button label (default: found in the message's blocks). */
  text?: string;
  selectedOption?: { text: { type: 'plain_text'; text: string }; value: string };
  /** users_select: the person picked (`selected_user`). */
  selectedUser?: string;
  /** checkboxes: the options ticked (`selected_options`). */
  selectedOptions?: Array<{ text: { type: string; text: string }; value: string }>;
  /** multi_users_select: the people picked (`selected_users`). */
  selectedUsers?: string[];
  /** datepicker: the date picked (`selected_date`, `YYYY-MM-DD`). */
  selectedDate?: string;
  /** A message action: the channel and message the button is on. */
  channelId?: string;
  messageTs?: string;
  isEphemeral?: boolean;
  /** A view action: the modal or home tab the element is in. */
  viewId?: string;
  teamId?: string;
  stateValues?: Record<string, Record<string, unknown>>;
}

export type ViewStateValue = { type: string } & Record<string, unknown>;

export interface ViewSubmissionInput {
  userId: string;
  /** A view the emulator opened; its callback_id, metadata and blocks are used. */
  viewId?: string;
  callbackId?: string;
  privateMetadata?: string;
  /** `state.values`: block_id → action_id → value; a string means a plain_text_input value. */
  values?: Record<string, Record<string, string | ViewStateValue>>;
  teamId?: string;
}

export interface EventOptions extends SendOptions {
  /** A retry (1, 2, 3): sends `X-Slack-Retry-Num`; pass the first delivery's `eventId`. */
  retryNum?: number;
  retryReason?: string;
  eventId?: string;
  teamId?: string;
}

export interface SlackDriver {
  slashCommand(input: SlashCommandInput, send?: SendOptions): Promise<DriverResponse>;
  blockAction(input: BlockActionInput, send?: SendOptions): Promise<DriverResponse>;
  viewSubmission(input: ViewSubmissionInput, send?: SendOptions): Promise<DriverResponse>;
  event(event: Record<string, unknown>, options?: EventOptions): Promise<DriverResponse>;
  urlVerification(challenge?: string, send?: SendOptions): Promise<DriverResponse>;
}

/** What the driver needs from the emulator, in-process or over HTTP. */
interface EmulatorLink {
  issueTrigger(teamId: string, userId: string): Promise<string>;
  createResponseUrl(context: ResponseUrlContext): Promise<string>;
  teamDomain(teamId: string): Promise<string | undefined>;
  botUserId(teamId: string): Promise<string | undefined>;
  userName(userId: string): Promise<string | undefined>;
  channel(channelId: string): Promise<{ name: string; isIm: boolean; isPrivate: boolean } | undefined>;
  message(channelId: string, ts: string): Promise<StoredMessage | undefined>;
  view(viewId: string): Promise<Record<string, unknown> | undefined>;
  /** Everyone and every channel, for turning typed @names and #channels into Slack's sequences. */
  directory(): Promise<Directory>;
}

/** Who and what a typed `@name` or `#name` can refer to. */
export interface Directory {
  users: Array<{ id: string; name: string }>;
  channels: Array<{ id: string; name: string }>;
}

const BROADCAST_WORDS = new Set(['here', 'channel', 'everyone']);

/**
 * Text as a person typed it in Slack's composer → the `text` Slack sends the app for a slash
 * command with "Escape channels, users, and links sent to your app" on (manifest
 * `should_escape: true`): `&`, `<`, `>` escaped as `&amp;`, `&lt;`, `&gt;`; `@here`, `@channel`,
 * `@everyone` as `<!here>`…; `@name` of a member as `<@U…|name>`; `#name` of a channel as
 * `<#C…|name>`; URLs as `<https://…>`. Modal input is never changed this way: Slack sends it
 * exactly as typed. (docs.slack.dev, "Implementing slash commands" and "Formatting text".)
 */
export function slackCommandText(typed: string, directory: Directory): string {
  const escaped = typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped.replace(
    /(^|\s)(@[\w.-]+|#[\w-]+|https?:\/\/[^\s]+?)(?=[.,!?;:)]*(?:\s|$))/g,
    (whole, space: string, token: string) => {
      const name = token.slice(1);
      if (token.startsWith('@')) {
        if (BROADCAST_WORDS.has(name)) return `${space}<!${name}>`;
        const user = directory.users.find((u) => u.name === name);
        return user ? `${space}<@${user.id}|${user.name}>` : whole;
      }
      if (token.startsWith('#')) {
        const channel = directory.channels.find((c) => c.name === name);
        return channel ? `${space}<#${channel.id}|${channel.name}>` : whole;
      }
      return `${space}<${token}>`;
    },
  );
}

function inProcessLink(emulator: SlackEmulator): EmulatorLink {
  const { state } = emulator;
  return {
    issueTrigger: async (teamId, userId) => emulator.issueTrigger({ teamId, userId }),
    createResponseUrl: async (context) => emulator.createResponseUrl(context),
    teamDomain: async (teamId) => state.teams.get(teamId)?.domain,
    botUserId: async (teamId) => state.teams.get(teamId)?.botUserId,
    userName: async (userId) => state.users.get(userId)?.name,
    channel: async (channelId) => {
      const channel = state.channels.get(channelId);
      return channel && { name: channel.name, isIm: channel.isIm, isPrivate: channel.isPrivate };
    },
    message: async (channelId, ts) => state.messages.find((m) => m.channel === channelId && m.ts === ts),
    view: async (viewId) => state.views.get(viewId)?.view,
    directory: async () => ({
      users: [...state.users.values()].map((u) => ({ id: u.id, name: u.name })),
      channels: [...state.channels.values()].map((c) => ({ id: c.id, name: c.name })),
    }),
  };
}

interface RemoteState {
  teams: Array<{ id: string; domain: string; botUserId: string }>;
  users: Array<{ id: string; name: string }>;
  channels: Array<{ id: string; name: string; isIm: boolean; isPrivate: boolean }>;
  views: Array<{ view: Record<string, unknown> & { id: string } }>;
}

function remoteLink(baseUrl: string): EmulatorLink {
  const base = baseUrl.replace(/\/$/, '');
  async function request<T>(path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`slack-emulator at ${base}: ${path} answered ${response.status}`);
    return (await response.json()) as T;
  }
  const state = () => request<RemoteState>('/_emulator/state');
  return {
    issueTrigger: async (teamId, userId) =>
      (await request<{ trigger_id: string }>('/_emulator/triggers', { teamId, userId })).trigger_id,
    createResponseUrl: async (context) =>
      (await request<{ response_url: string }>('/_emulator/response-urls', context)).response_url,
    teamDomain: async (teamId) => (await state()).teams.find((t) => t.id === teamId)?.domain,
    botUserId: async (teamId) => (await state()).teams.find((t) => t.id === teamId)?.botUserId,
    userName: async (userId) => (await state()).users.find((u) => u.id === userId)?.name,
    channel: async (channelId) => (await state()).channels.find((c) => c.id === channelId),
    message: async (channelId, ts) =>
      (
        await request<{ messages: StoredMessage[] }>(
          `/_emulator/messages?channel=${encodeURIComponent(channelId)}`,
        )
      ).messages.find((m) => m.ts === ts),
    view: async (viewId) => (await state()).views.find((v) => v.view.id === viewId)?.view,
    directory: async () => {
      const { users, channels } = await state();
      return {
        users: users.map((u) => ({ id: u.id, name: u.name })),
        channels: channels.map((c) => ({ id: c.id, name: c.name })),
      };
    },
  };
}

interface FoundElement {
  blockId: string;
  element: Record<string, unknown>;
}

/** Finds the interactive element with this action_id in a message's or view's blocks. */
function findElement(blocks: unknown, actionId: string): FoundElement | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as Array<Record<string, unknown>>) {
    const candidates: unknown[] = [];
    if (Array.isArray(block.elements)) candidates.push(...block.elements);
    if (block.accessory) candidates.push(block.accessory);
    if (block.element) candidates.push(block.element);
    for (const candidate of candidates as Array<Record<string, unknown>>) {
      if (candidate && candidate.action_id === actionId) {
        return { blockId: String(block.block_id ?? ''), element: candidate };
      }
    }
  }
  return undefined;
}

/** A modal the emulator never opened: what a submission of it would carry. */
function syntheticModal(
  viewId: string,
  teamId: string,
  appId: string,
  seconds: number,
): Record<string, unknown> {
  return {
    id: viewId,
    team_id: teamId,
    type: 'modal',
    blocks: [],
    private_metadata: '',
    callback_id: '',
    hash: `${seconds}.emulator`,
    title: { type: 'plain_text', text: 'Emulated view', emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: { type: 'plain_text', text: 'Submit', emoji: true },
    previous_view_id: null,
    root_view_id: viewId,
    app_id: appId,
    external_id: '',
    app_installed_team_id: teamId,
  };
}

const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';

export function createSlackDriver(options: SlackDriverOptions): SlackDriver {
  const link =
    typeof options.emulator === 'string' ? remoteLink(options.emulator) : inProcessLink(options.emulator);
  const now = options.now ?? Date.now;
  const defaultTeamId = options.teamId ?? DEFAULT_TEAM_ID;
  const apiAppId = options.apiAppId ?? DEFAULT_APP_ID;
  const verificationToken = options.verificationToken ?? 'emulator-verification-token';
  const gatewayUrl = options.gatewayUrl.replace(/\/$/, '');
  const paths = {
    commands: options.paths?.commands ?? '/slack/commands',
    interactions: options.paths?.interactions ?? '/slack/interactions',
    events: options.paths?.events ?? '/slack/events',
  };

  function nowSeconds(): number {
    return Math.floor(now() / 1000);
  }

  function actionTs(): string {
    const ms = now();
    return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
  }

  async function userRef(teamId: string, userId: string) {
    const name = (await link.userName(userId)) ?? userId;
    return { id: userId, username: name, name, team_id: teamId };
  }

  async function teamRef(teamId: string) {
    return { id: teamId, domain: (await link.teamDomain(teamId)) ?? DEFAULT_TEAM_NAME };
  }

  async function send(
    path: string,
    rawBody: string,
    contentType: string,
    payload: Record<string, unknown>,
    sendOptions: SendOptions = {},
    extraHeaders: Record<string, string> = {},
    ids: Pick<SentRequest, 'triggerId' | 'responseUrl' | 'eventId'> = {},
  ): Promise<DriverResponse> {
    const timestamp = nowSeconds() + (sendOptions.timestampOffsetSeconds ?? 0);
    const secret =
      sendOptions.signature === 'invalid' ? `${options.signingSecret}-wrong` : options.signingSecret;
    const signature = signSlackRequest(secret, timestamp, rawBody);
    let sentBody = rawBody;
    if (sendOptions.tamperBody) {
      sentBody = contentType.startsWith('application/json')
        ? rawBody.replace(/}\s*$/, ',"tampered":true}')
        : `${rawBody}&tampered=1`;
    }
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': SLACK_USER_AGENT,
      accept: 'application/json,*/*',
      'x-slack-request-timestamp': String(timestamp),
      ...(sendOptions.signature === 'missing' ? {} : { 'x-slack-signature': signature }),
      ...extraHeaders,
      ...sendOptions.headers,
    };
    for (const name of sendOptions.omitHeaders ?? []) delete headers[name.toLowerCase()];
    const url = `${gatewayUrl}${path}`;
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers, body: sentBody });
    const text = await response.text();
    const latencyMs = performance.now() - started;
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return {
      status: response.status,
      body,
      headers: Object.fromEntries(response.headers.entries()),
      latencyMs,
      sent: { url, rawBody: sentBody, headers, payload, ...ids },
    };
  }

  function sendInteraction(
    payload: Record<string, unknown>,
    sendOptions: SendOptions | undefined,
    ids: Pick<SentRequest, 'triggerId' | 'responseUrl'>,
  ) {
    const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return send(
      paths.interactions,
      rawBody,
      'application/x-www-form-urlencoded',
      payload,
      sendOptions,
      {},
      ids,
    );
  }

  return {
    async slashCommand(input, sendOptions) {
      const teamId = input.teamId ?? defaultTeamId;
      const channel = await link.channel(input.channelId);
      const channelName =
        input.channelName ??
        (channel
          ? channel.isIm
            ? 'directmessage'
            : channel.isPrivate
              ? 'privategroup'
              : channel.name
          : input.channelId);
      const triggerId = await link.issueTrigger(teamId, input.userId);
      const responseUrl = await link.createResponseUrl({
        teamId,
        channelId: input.channelId,
        userId: input.userId,
      });
      // Field order as Slack sends them.
      const fields: Record<string, string> = {
        token: verificationToken,
        team_id: teamId,
        team_domain: (await link.teamDomain(teamId)) ?? DEFAULT_TEAM_NAME,
        channel_id: input.channelId,
        channel_name: channelName,
        user_id: input.userId,
        user_name: input.userName ?? (await link.userName(input.userId)) ?? input.userId,
        command: input.command ?? '/coffee',
        text: input.sentText ?? slackCommandText(input.text ?? '', await link.directory()),
        api_app_id: apiAppId,
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: triggerId,
      };
      const rawBody = new URLSearchParams(fields).toString();
      return send(
        paths.commands,
        rawBody,
        'application/x-www-form-urlencoded',
        fields,
        sendOptions,
        {},
        {
          triggerId,
          responseUrl,
        },
      );
    },

    async blockAction(input, sendOptions) {
      const teamId = input.teamId ?? defaultTeamId;
      const triggerId = await link.issueTrigger(teamId, input.userId);
      const base = {
        type: 'block_actions',
        user: await userRef(teamId, input.userId),
        api_app_id: apiAppId,
        token: verificationToken,
      };
      let found: FoundElement | undefined;
      let context: Record<string, unknown>;
      let responseUrl: string | undefined;
      if (input.viewId) {
        const view = (await link.view(input.viewId)) ?? {
          id: input.viewId,
          team_id: teamId,
          type: 'modal',
          blocks: [],
          state: { values: {} },
        };
        found = findElement(view.blocks, input.actionId);
        context = {
          container: { type: 'view', view_id: input.viewId },
          trigger_id: triggerId,
          team: await teamRef(teamId),
          enterprise: null,
          is_enterprise_install: false,
          view: { ...view, state: { values: input.stateValues ?? {} } },
        };
      } else {
        if (!input.channelId || !input.messageTs) {
          throw new Error('slack-driver: blockAction needs channelId and messageTs, or viewId');
        }
        const stored = await link.message(input.channelId, input.messageTs);
        found = findElement(stored?.blocks, input.actionId);
        const channel = await link.channel(input.channelId);
        const isEphemeral = input.isEphemeral ?? stored?.ephemeral ?? false;
        responseUrl = await link.createResponseUrl({
          teamId,
          channelId: input.channelId,
          userId: input.userId,
          messageTs: input.messageTs,
        });
        const message = stored
          ? {
              user: stored.user,
              type: 'message',
              ts: stored.ts,
              ...(stored.bot_id ? { bot_id: stored.bot_id, app_id: stored.app_id } : {}),
              text: stored.text,
              team: stored.team,
              blocks: stored.blocks,
              ...(stored.edited ? { edited: stored.edited } : {}),
            }
          : { type: 'message', ts: input.messageTs, text: '', blocks: [] };
        context = {
          container: {
            type: 'message',
            message_ts: input.messageTs,
            channel_id: input.channelId,
            is_ephemeral: isEphemeral,
          },
          trigger_id: triggerId,
          team: await teamRef(teamId),
          enterprise: null,
          is_enterprise_install: false,
          channel: {
            id: input.channelId,
            name: channel?.isIm ? 'directmessage' : (channel?.name ?? input.channelId),
          },
          // Slack omits the message for ephemeral sources.
          ...(isEphemeral ? {} : { message }),
          state: { values: input.stateValues ?? {} },
          response_url: responseUrl,
        };
      }
      const element = found?.element ?? {};
      const type = input.actionType ?? (typeof element.type === 'string' ? element.type : 'button');
      const label =
        input.text ??
        ((element.text as { text?: string } | undefined)?.text as string | undefined) ??
        input.actionId;
      const action: Record<string, unknown> = {
        action_id: input.actionId,
        block_id: input.blockId ?? found?.blockId ?? 'emulator_block',
        ...(type === 'button' ? { text: { type: 'plain_text', text: label, emoji: true } } : {}),
        ...(input.value !== undefined
          ? { value: input.value }
          : typeof element.value === 'string'
            ? { value: element.value }
            : {}),
        ...(input.selectedOption ? { selected_option: input.selectedOption } : {}),
        ...(input.selectedUser ? { selected_user: input.selectedUser } : {}),
        ...(input.selectedOptions ? { selected_options: input.selectedOptions } : {}),
        ...(input.selectedUsers ? { selected_users: input.selectedUsers } : {}),
        ...(input.selectedDate ? { selected_date: input.selectedDate } : {}),
        type,
        action_ts: actionTs(),
      };
      const payload = { ...base, ...context, actions: [action] };
      return sendInteraction(payload, sendOptions, { triggerId, ...(responseUrl ? { responseUrl } : {}) });
    },

    async viewSubmission(input, sendOptions) {
      const teamId = input.teamId ?? defaultTeamId;
      const triggerId = await link.issueTrigger(teamId, input.userId);
      const values: Record<string, Record<string, ViewStateValue>> = {};
      for (const [blockId, actions] of Object.entries(input.values ?? {})) {
        values[blockId] = {};
        for (const [actionId, value] of Object.entries(actions)) {
          (values[blockId] as Record<string, ViewStateValue>)[actionId] =
            typeof value === 'string' ? { type: 'plain_text_input', value } : value;
        }
      }
      const stored = input.viewId ? await link.view(input.viewId) : undefined;
      const view = {
        ...(stored ?? syntheticModal(input.viewId ?? newViewId(), teamId, apiAppId, nowSeconds())),
        ...(input.callbackId !== undefined ? { callback_id: input.callbackId } : {}),
        ...(input.privateMetadata !== undefined ? { private_metadata: input.privateMetadata } : {}),
        state: { values },
      };
      const payload = {
        type: 'view_submission',
        team: await teamRef(teamId),
        user: await userRef(teamId, input.userId),
        api_app_id: apiAppId,
        token: verificationToken,
        trigger_id: triggerId,
        view,
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
      return sendInteraction(payload, sendOptions, { triggerId });
    },

    async event(event, eventOptions = {}) {
      const teamId = eventOptions.teamId ?? defaultTeamId;
      const eventId = eventOptions.eventId ?? newEventId();
      const botUserId = (await link.botUserId(teamId)) ?? 'U0BOT';
      const envelope = {
        token: verificationToken,
        team_id: teamId,
        context_team_id: teamId,
        context_enterprise_id: null,
        api_app_id: apiAppId,
        event: { event_ts: actionTs(), ...event },
        type: 'event_callback',
        event_id: eventId,
        event_time: nowSeconds(),
        authorizations: [
          {
            enterprise_id: null,
            team_id: teamId,
            user_id: botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
        event_context: `4-emulator-${eventId}`,
      };
      const retryHeaders: Record<string, string> =
        eventOptions.retryNum !== undefined
          ? {
              'x-slack-retry-num': String(eventOptions.retryNum),
              'x-slack-retry-reason': eventOptions.retryReason ?? 'http_timeout',
            }
          : {};
      return send(
        paths.events,
        JSON.stringify(envelope),
        'application/json',
        envelope,
        eventOptions,
        retryHeaders,
        { eventId },
      );
    },

    async urlVerification(challenge = `challenge-${Date.now()}`, sendOptions) {
      const payload = { token: verificationToken, challenge, type: 'url_verification' };
      return send(paths.events, JSON.stringify(payload), 'application/json', payload, sendOptions);
    },
  };
}
