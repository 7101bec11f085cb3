import { randomBytes } from 'node:crypto';
import { type BlockKitProblem, checkMessage, checkView, formatProblem } from './block-kit';
import { MessageClock, newOAuthCode, newTriggerId, newViewHash, newViewId } from './slack-ids';
import type { Channel, Team, Token, User, Workspace } from './workspace';

/**
 * The Web API methods the emulator serves, over the workspace state. Transport-free: the HTTP
 * layer parses the request, authenticates, then calls `WebApi.call(method, args, auth)`.
 */

export type SlackArgs = Record<string, unknown>;
export type SlackResult = { ok: boolean } & Record<string, unknown>;

/** A Slack API error: `{ ok: false, error, ...extra }`. */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }

  toResult(): SlackResult {
    return { ok: false, error: this.error, ...this.extra };
  }
}

function invalidArguments(problems: BlockKitProblem[]): SlackApiError {
  return new SlackApiError('invalid_arguments', {
    response_metadata: { messages: problems.map(formatProblem) },
  });
}

function missingArgument(name: string): SlackApiError {
  return invalidArguments([{ pointer: `/${name}`, message: `missing required field: ${name}` }]);
}

/** A message as it stands in a channel (or, for ephemeral ones, as its one reader sees it). */
export interface StoredMessage {
  type: 'message';
  channel: string;
  team: string;
  ts: string;
  /** The poster: the bot user for the app's messages. */
  user: string;
  bot_id?: string;
  app_id?: string;
  text: string;
  blocks: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  metadata?: unknown;
  edited?: { user: string; ts: string };
  /** Ephemeral messages are seen by `visible_to` only and cannot be updated by `chat.update`. */
  ephemeral: boolean;
  visible_to?: string;
  deleted: boolean;
  /** How it got there: the Web API method or `response_url`. */
  via: 'chat.postMessage' | 'chat.postEphemeral' | 'response_url';
  /** Earlier versions, oldest first, one per update. */
  history: Array<{ text: string; blocks: unknown[]; replaced_at: number }>;
}

export interface StoredView {
  userId: string;
  view: Record<string, unknown> & { id: string; hash: string; type: string; external_id: string };
}

export interface Trigger {
  id: string;
  teamId: string;
  userId: string;
  issuedAt: number;
  used: boolean;
}

export interface OAuthGrant {
  code: string;
  teamId: string;
  userId: string;
  scopes: string[];
  userScopes: string[];
  redirectUri?: string;
  issuedAt: number;
  used: boolean;
}

export interface WebApiOptions {
  workspace: Workspace;
  now: () => number;
  appId: string;
  clientId: string;
  clientSecret: string;
  /** How long a trigger_id may be exchanged for a view (Slack: 3 s). */
  triggerTtlMs: number;
}

/** OAuth codes expire after 10 minutes at Slack. */
const OAUTH_CODE_TTL_MS = 10 * 60 * 1000;
/** Slack allows a stack of at most three modals. */
const MAX_VIEW_STACK = 3;

function str(args: SlackArgs, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Message metadata must be `{ event_type: string, event_payload: object }`
 * (https://api.slack.com/metadata/using); Slack answers `invalid_metadata_schema` otherwise.
 */
function checkMetadata(metadata: unknown): void {
  const m = metadata as { event_type?: unknown; event_payload?: unknown } | null;
  const ok =
    typeof m === 'object' &&
    m !== null &&
    typeof m.event_type === 'string' &&
    m.event_type.length > 0 &&
    typeof m.event_payload === 'object' &&
    m.event_payload !== null &&
    !Array.isArray(m.event_payload);
  if (!ok) throw new SlackApiError('invalid_metadata_schema');
}

function bool(args: SlackArgs, name: string): boolean {
  const value = args[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}

function shortBlockId(): string {
  return randomBytes(3).toString('base64url');
}

/** Slack gives every block without a `block_id` a generated one; interaction payloads carry it. */
function withBlockIds(blocks: unknown): unknown[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.map((block) => {
    if (typeof block !== 'object' || block === null || 'block_id' in block) return block;
    return { ...block, block_id: shortBlockId() };
  });
}

type Handler = (args: SlackArgs, auth: Token | undefined) => SlackResult;

export class WebApi {
  readonly messages: StoredMessage[] = [];
  readonly views = new Map<string, StoredView>();
  readonly triggers = new Map<string, Trigger>();
  readonly grants = new Map<string, OAuthGrant>();
  private readonly clock: MessageClock;
  private readonly handlers: Record<string, { auth: boolean; handle: Handler }>;
  private readonly modalStacks = new Map<string, string[]>();

  constructor(private readonly options: WebApiOptions) {
    this.clock = new MessageClock(options.now);
    const authed = (handle: Handler) => ({ auth: true, handle });
    this.handlers = {
      'api.test': { auth: false, handle: (args) => this.apiTest(args) },
      'auth.test': authed((_args, auth) => this.authTest(this.must(auth))),
      'chat.postMessage': authed((args, auth) => this.chatPostMessage(args, this.must(auth))),
      'chat.update': authed((args, auth) => this.chatUpdate(args, this.must(auth))),
      'chat.delete': authed((args, auth) => this.chatDelete(args, this.must(auth))),
      'chat.postEphemeral': authed((args, auth) => this.chatPostEphemeral(args, this.must(auth))),
      'conversations.history': authed((args, auth) => this.conversationsHistory(args, this.must(auth))),
      'conversations.info': authed((args, auth) => this.conversationsInfo(args, this.must(auth))),
      'conversations.open': authed((args, auth) => this.conversationsOpen(args, this.must(auth))),
      'oauth.v2.access': { auth: false, handle: (args) => this.oauthV2Access(args) },
      'users.info': authed((args, auth) => this.usersInfo(args, this.must(auth))),
      'views.open': authed((args, auth) => this.viewsOpen(args, this.must(auth))),
      'views.push': authed((args, auth) => this.viewsPush(args, this.must(auth))),
      'views.update': authed((args, auth) => this.viewsUpdate(args, this.must(auth))),
      'views.publish': authed((args, auth) => this.viewsPublish(args, this.must(auth))),
    };
  }

  get appId(): string {
    return this.options.appId;
  }

  teamOf(teamId: string): Team {
    return this.options.workspace.requireTeam(teamId);
  }

  get methods(): string[] {
    return Object.keys(this.handlers).sort();
  }

  requiresAuth(method: string): boolean {
    return this.handlers[method]?.auth ?? true;
  }

  isKnown(method: string): boolean {
    return method in this.handlers;
  }

  /** Runs a method; API errors come back as `{ ok: false, error }`, never as exceptions. */
  call(method: string, args: SlackArgs, auth: Token | undefined): SlackResult {
    const handler = this.handlers[method];
    if (!handler) return { ok: false, error: 'unknown_method', req_method: method };
    try {
      return handler.handle(args, auth);
    } catch (error) {
      if (error instanceof SlackApiError) return error.toResult();
      throw error;
    }
  }

  /** Empties messages, views, triggers and OAuth codes; the workspace itself stays. */
  clear(): void {
    this.messages.length = 0;
    this.views.clear();
    this.triggers.clear();
    this.grants.clear();
    this.modalStacks.clear();
  }

  // ---- triggers and OAuth codes, issued by the driver and the authorize endpoint ----

  issueTrigger(teamId: string, userId: string): Trigger {
    const now = this.options.now();
    const trigger: Trigger = { id: newTriggerId(now), teamId, userId, issuedAt: now, used: false };
    this.triggers.set(trigger.id, trigger);
    return trigger;
  }

  issueOAuthCode(grant: Omit<OAuthGrant, 'code' | 'issuedAt' | 'used'>): OAuthGrant {
    const now = this.options.now();
    const record: OAuthGrant = { ...grant, code: newOAuthCode(now), issuedAt: now, used: false };
    this.grants.set(record.code, record);
    return record;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts && !m.ephemeral);
  }

  /** A message posted or changed through a response_url (or any path other than the Web API). */
  postMessage(message: Omit<StoredMessage, 'type' | 'ts' | 'deleted' | 'history'>): StoredMessage {
    const stored: StoredMessage = {
      type: 'message',
      ts: this.clock.next(),
      deleted: false,
      history: [],
      ...message,
      blocks: withBlockIds(message.blocks),
    };
    this.messages.push(stored);
    return stored;
  }

  replaceMessage(
    message: StoredMessage,
    content: { text?: string; blocks?: unknown[] },
    editor: string,
  ): void {
    message.history.push({ text: message.text, blocks: message.blocks, replaced_at: this.options.now() });
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = withBlockIds(content.blocks);
    message.edited = { user: editor, ts: this.clock.next() };
  }

  // ---- methods ----

  private must(auth: Token | undefined): Token {
    if (!auth) throw new SlackApiError('not_authed');
    return auth;
  }

  private team(auth: Token): Team {
    return this.options.workspace.requireTeam(auth.teamId);
  }

  private apiTest(args: SlackArgs): SlackResult {
    const error = str(args, 'error');
    return error ? { ok: false, error, args } : { ok: true, args };
  }

  private authTest(auth: Token): SlackResult {
    const team = this.team(auth);
    const user = this.options.workspace.users.get(auth.userId);
    return {
      ok: true,
      url: `https://${team.domain}.slack.com/`,
      team: team.name,
      user: user?.name ?? 'coffeebuddy',
      team_id: team.id,
      user_id: auth.userId,
      ...(auth.type === 'bot' ? { bot_id: team.botId } : {}),
      is_enterprise_install: false,
    };
  }

  /**
   * `channel` may be a channel ID, `#name`, or a user ID (the message goes to the app's DM with
   * that person, as Slack does).
   */
  private resolveChannel(auth: Token, ref: string | undefined): Channel {
    if (!ref) throw new SlackApiError('channel_not_found');
    const workspace = this.options.workspace;
    const user = /^[UW]/.test(ref) ? workspace.findUser(auth.teamId, ref) : undefined;
    if (user) return workspace.openIm(auth.teamId, user.id).channel;
    const channel = workspace.findChannel(auth.teamId, ref);
    if (!channel) throw new SlackApiError('channel_not_found');
    return channel;
  }

  private checkContent(args: SlackArgs): void {
    const check = checkMessage({ text: args.text, blocks: args.blocks, attachments: args.attachments });
    if (check.ok) return;
    if (check.error === 'invalid_blocks') {
      throw new SlackApiError('invalid_blocks', {
        errors: check.problems.map((p) => `${p.message} [json-pointer:${p.pointer}]`),
        response_metadata: { messages: check.problems.map(formatProblem) },
      });
    }
    throw new SlackApiError(check.error);
  }

  private messageView(message: StoredMessage): Record<string, unknown> {
    const team = this.options.workspace.teams.get(message.team);
    return {
      user: message.user,
      type: 'message',
      ts: message.ts,
      ...(message.bot_id ? { bot_id: message.bot_id, app_id: message.app_id } : {}),
      text: message.text,
      team: message.team,
      ...(message.bot_id && team
        ? {
            bot_profile: {
              id: team.botId,
              app_id: this.options.appId,
              name: 'CoffeeBuddy',
              icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
              deleted: false,
              updated: Math.floor(this.options.now() / 1000),
              team_id: team.id,
            },
          }
        : {}),
      ...(message.edited ? { edited: message.edited } : {}),
      ...(message.thread_ts ? { thread_ts: message.thread_ts, parent_user_id: message.user } : {}),
      ...(message.blocks.length > 0 ? { blocks: message.blocks } : {}),
      ...(message.attachments ? { attachments: message.attachments } : {}),
      ...(message.metadata ? { metadata: message.metadata } : {}),
    };
  }

  private poster(auth: Token): Pick<StoredMessage, 'user' | 'bot_id' | 'app_id' | 'team'> {
    const team = this.team(auth);
    return auth.type === 'bot'
      ? { user: team.botUserId, bot_id: team.botId, app_id: this.options.appId, team: team.id }
      : { user: auth.userId, team: team.id };
  }

  private chatPostMessage(args: SlackArgs, auth: Token): SlackResult {
    const channel = this.resolveChannel(auth, str(args, 'channel'));
    this.checkContent(args);
    if (args.metadata !== undefined) checkMetadata(args.metadata);
    const threadTs = str(args, 'thread_ts');
    const message = this.postMessage({
      ...this.poster(auth),
      channel: channel.id,
      text: str(args, 'text') ?? '',
      blocks: Array.isArray(args.blocks) ? args.blocks : [],
      ...(Array.isArray(args.attachments) ? { attachments: args.attachments } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
      ephemeral: false,
      via: 'chat.postMessage',
    });
    return { ok: true, channel: channel.id, ts: message.ts, message: this.messageView(message) };
  }

  private chatUpdate(args: SlackArgs, auth: Token): SlackResult {
    const channel = this.resolveChannel(auth, str(args, 'channel'));
    const ts = str(args, 'ts');
    if (!ts) throw missingArgument('ts');
    const message = this.findMessage(channel.id, ts);
    if (!message || message.deleted) throw new SlackApiError('message_not_found');
    if (message.user !== this.poster(auth).user) throw new SlackApiError('cant_update_message');
    // Omitted blocks/attachments are kept, as Slack documents; an empty array removes them.
    const merged = {
      text: args.text ?? message.text,
      blocks: args.blocks ?? message.blocks,
      attachments: args.attachments ?? message.attachments,
    };
    this.checkContent(merged);
    this.replaceMessage(
      message,
      { text: typeof merged.text === 'string' ? merged.text : '', blocks: merged.blocks as unknown[] },
      message.user,
    );
    if (Array.isArray(args.attachments)) message.attachments = args.attachments;
    const view = this.messageView(message);
    return { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: view };
  }

  private chatDelete(args: SlackArgs, auth: Token): SlackResult {
    const channel = this.resolveChannel(auth, str(args, 'channel'));
    const ts = str(args, 'ts');
    if (!ts) throw missingArgument('ts');
    const message = this.findMessage(channel.id, ts);
    if (!message || message.deleted) throw new SlackApiError('message_not_found');
    if (message.user !== this.poster(auth).user) throw new SlackApiError('cant_delete_message');
    message.deleted = true;
    return { ok: true, channel: channel.id, ts };
  }

  private chatPostEphemeral(args: SlackArgs, auth: Token): SlackResult {
    const channel = this.resolveChannel(auth, str(args, 'channel'));
    const userId = str(args, 'user');
    if (!userId) throw missingArgument('user');
    if (!this.options.workspace.findUser(auth.teamId, userId)) throw new SlackApiError('user_not_found');
    this.checkContent(args);
    const threadTs = str(args, 'thread_ts');
    const message = this.postMessage({
      ...this.poster(auth),
      channel: channel.id,
      text: str(args, 'text') ?? '',
      blocks: Array.isArray(args.blocks) ? args.blocks : [],
      ...(Array.isArray(args.attachments) ? { attachments: args.attachments } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ephemeral: true,
      visible_to: userId,
      via: 'chat.postEphemeral',
    });
    return { ok: true, message_ts: message.ts };
  }

  private channelView(channel: Channel): Record<string, unknown> {
    if (channel.isIm) {
      return {
        id: channel.id,
        created: channel.created,
        is_archived: false,
        is_im: true,
        is_org_shared: false,
        context_team_id: channel.teamId,
        updated: channel.created * 1000,
        user: channel.user,
        is_user_deleted: false,
        priority: 0,
      };
    }
    return {
      id: channel.id,
      name: channel.name,
      is_channel: !channel.isPrivate,
      is_group: channel.isPrivate,
      is_im: false,
      is_mpim: false,
      is_private: channel.isPrivate,
      created: channel.created,
      is_archived: false,
      is_general: channel.name === 'general',
      unlinked: 0,
      name_normalized: channel.name,
      is_shared: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      context_team_id: channel.teamId,
      updated: channel.created * 1000,
      parent_conversation: null,
      creator: '',
      is_ext_shared: false,
      shared_team_ids: [channel.teamId],
      pending_connected_team_ids: [],
      is_member: true,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      previous_names: [],
    };
  }

  /**
   * conversations.history as Slack answers it: the channel's messages newest first (ephemeral and
   * deleted ones are not in a history), `oldest`/`latest` bounds (exclusive unless `inclusive`),
   * `limit` (default 100, at most 999) with a `next_cursor` when there is more, and message
   * `metadata` only with `include_all_metadata`. Needs `channels:history`, `groups:history` or
   * `im:history` for the kind of conversation, else `missing_scope` as Slack says it.
   */
  private conversationsHistory(args: SlackArgs, auth: Token): SlackResult {
    const ref = str(args, 'channel');
    if (!ref) throw new SlackApiError('channel_not_found');
    const channel = this.options.workspace.findChannel(auth.teamId, ref);
    if (!channel) throw new SlackApiError('channel_not_found');
    const needed = channel.isIm ? 'im:history' : channel.isPrivate ? 'groups:history' : 'channels:history';
    if (!auth.scopes.includes(needed)) {
      throw new SlackApiError('missing_scope', { needed, provided: auth.scopes.join(',') });
    }
    const limit = Math.min(Math.max(Number(str(args, 'limit') ?? 100) || 100, 1), 999);
    const inclusive = bool(args, 'inclusive');
    const oldest = Number(str(args, 'oldest') ?? 0);
    const latest = Number(str(args, 'latest') ?? Number.POSITIVE_INFINITY);
    const withMetadata = bool(args, 'include_all_metadata');
    const cursor = str(args, 'cursor');
    const after = (ts: number, bound: number) => (inclusive ? ts >= bound : ts > bound);
    const before = (ts: number, bound: number) => (inclusive ? ts <= bound : ts < bound);
    const matching = this.messages
      .filter((m) => m.channel === channel.id && !m.ephemeral && !m.deleted && !m.thread_ts)
      .filter((m) => after(Number(m.ts), oldest) && before(Number(m.ts), latest))
      .reverse();
    const start = cursor
      ? Number(
          Buffer.from(cursor, 'base64')
            .toString('utf8')
            .replace(/^offset:/, ''),
        )
      : 0;
    if (!Number.isInteger(start) || start < 0) throw new SlackApiError('invalid_cursor');
    const page = matching.slice(start, start + limit);
    const hasMore = start + limit < matching.length;
    return {
      ok: true,
      messages: page.map((m) => {
        const { metadata, ...view } = this.messageView(m);
        return withMetadata && metadata ? { ...view, metadata } : view;
      }),
      has_more: hasMore,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: {
        next_cursor: hasMore ? Buffer.from(`offset:${start + limit}`).toString('base64') : '',
      },
    };
  }

  private conversationsInfo(args: SlackArgs, auth: Token): SlackResult {
    const ref = str(args, 'channel');
    const channel = ref ? this.options.workspace.findChannel(auth.teamId, ref) : undefined;
    if (!channel) throw new SlackApiError('channel_not_found');
    return { ok: true, channel: this.channelView(channel) };
  }

  private conversationsOpen(args: SlackArgs, auth: Token): SlackResult {
    const workspace = this.options.workspace;
    const returnIm = bool(args, 'return_im');
    const channelRef = str(args, 'channel');
    if (channelRef) {
      const channel = workspace.findChannel(auth.teamId, channelRef);
      if (!channel?.isIm) throw new SlackApiError('channel_not_found');
      return {
        ok: true,
        no_op: true,
        already_open: true,
        channel: returnIm ? this.channelView(channel) : { id: channel.id },
      };
    }
    const users = (str(args, 'users') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u.length > 0);
    if (users.length === 0) throw new SlackApiError('users_list_not_supplied');
    if (users.length > 1) {
      // Group DMs (mpim) are not emulated; CoffeeBuddy only DMs one person at a time.
      throw new SlackApiError('not_implemented_in_emulator', {
        detail: 'conversations.open with several users',
      });
    }
    const userId = users[0] as string;
    if (!workspace.findUser(auth.teamId, userId)) throw new SlackApiError('user_not_found');
    const { channel, created } = workspace.openIm(auth.teamId, userId);
    return {
      ok: true,
      ...(created ? {} : { no_op: true, already_open: true }),
      channel: returnIm ? this.channelView(channel) : { id: channel.id },
    };
  }

  private userView(user: User): Record<string, unknown> {
    const [first, ...rest] = user.realName.split(' ');
    const image = (size: number) => `https://secure.gravatar.com/avatar/${user.id}.jpg?s=${size}`;
    return {
      id: user.id,
      team_id: user.teamId,
      name: user.name,
      deleted: user.deleted,
      color: '9f69e7',
      real_name: user.realName,
      tz: user.tz,
      tz_label: user.tzLabel,
      tz_offset: user.tzOffset,
      profile: {
        title: '',
        phone: '',
        skype: '',
        real_name: user.realName,
        real_name_normalized: user.realName,
        display_name: user.name,
        display_name_normalized: user.name,
        fields: null,
        status_text: '',
        status_emoji: '',
        status_expiration: 0,
        avatar_hash: 'g0000000000',
        ...(user.isBot
          ? { bot_id: this.options.workspace.teams.get(user.teamId)?.botId, api_app_id: this.options.appId }
          : {}),
        first_name: first ?? '',
        last_name: rest.join(' '),
        image_24: image(24),
        image_32: image(32),
        image_48: image(48),
        image_72: image(72),
        image_192: image(192),
        image_512: image(512),
        team: user.teamId,
      },
      is_admin: user.isAdmin,
      is_owner: user.isOwner,
      is_primary_owner: user.isOwner,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: user.isBot,
      is_app_user: false,
      updated: 1_700_000_000,
      is_email_confirmed: !user.isBot,
      who_can_share_contact_card: 'EVERYONE',
    };
  }

  private usersInfo(args: SlackArgs, auth: Token): SlackResult {
    const userId = str(args, 'user');
    if (!userId) throw new SlackApiError('user_not_found');
    const user = this.options.workspace.findUser(auth.teamId, userId);
    if (!user) throw new SlackApiError('user_not_found');
    return { ok: true, user: this.userView(user) };
  }

  // ---- views ----

  private parseView(args: SlackArgs, type: 'modal' | 'home'): Record<string, unknown> {
    if (args.view === undefined) throw missingArgument('view');
    const problems = checkView(args.view, type);
    if (problems.length > 0) throw invalidArguments(problems);
    return args.view as Record<string, unknown>;
  }

  /** Trigger rules: known, from this team, not yet exchanged, and younger than the TTL (3 s). */
  private exchangeTrigger(args: SlackArgs, auth: Token): Trigger {
    const id = str(args, 'trigger_id') ?? str(args, 'interactivity_pointer');
    if (!id) throw missingArgument('trigger_id');
    const trigger = this.triggers.get(id);
    if (!trigger || trigger.teamId !== auth.teamId) throw new SlackApiError('invalid_trigger_id');
    if (trigger.used) throw new SlackApiError('exchanged_trigger_id');
    if (this.options.now() - trigger.issuedAt > this.options.triggerTtlMs) {
      throw new SlackApiError('expired_trigger_id');
    }
    trigger.used = true;
    return trigger;
  }

  private findViewByExternalId(teamId: string, externalId: string): StoredView | undefined {
    for (const stored of this.views.values()) {
      if (stored.view.external_id === externalId && stored.view.team_id === teamId) return stored;
    }
    return undefined;
  }

  private buildView(
    input: Record<string, unknown>,
    auth: Token,
    id: string,
    links: { previous: string | null; root: string },
  ): StoredView['view'] {
    const team = this.team(auth);
    const externalId = typeof input.external_id === 'string' ? input.external_id : '';
    const isModal = input.type === 'modal';
    return {
      id,
      team_id: team.id,
      type: String(input.type),
      blocks: withBlockIds(input.blocks),
      private_metadata: typeof input.private_metadata === 'string' ? input.private_metadata : '',
      callback_id: typeof input.callback_id === 'string' ? input.callback_id : '',
      state: { values: {} },
      hash: newViewHash(this.options.now()),
      title: input.title ?? null,
      clear_on_close: isModal ? input.clear_on_close === true : false,
      notify_on_close: isModal ? input.notify_on_close === true : false,
      close: input.close ?? null,
      submit: input.submit ?? null,
      previous_view_id: links.previous,
      root_view_id: links.root,
      app_id: this.options.appId,
      external_id: externalId,
      app_installed_team_id: team.id,
      bot_id: team.botId,
    };
  }

  private storeNewView(
    input: Record<string, unknown>,
    auth: Token,
    userId: string,
    previous: string | null,
    root?: string,
  ): StoredView {
    const externalId = input.external_id;
    if (
      typeof externalId === 'string' &&
      externalId !== '' &&
      this.findViewByExternalId(auth.teamId, externalId)
    ) {
      throw new SlackApiError('duplicate_external_id');
    }
    const id = newViewId();
    const stored: StoredView = {
      userId,
      view: this.buildView(input, auth, id, { previous, root: root ?? id }),
    };
    this.views.set(id, stored);
    return stored;
  }

  private viewsOpen(args: SlackArgs, auth: Token): SlackResult {
    const input = this.parseView(args, 'modal');
    const trigger = this.exchangeTrigger(args, auth);
    const stored = this.storeNewView(input, auth, trigger.userId, null);
    this.modalStacks.set(trigger.userId, [stored.view.id]);
    return { ok: true, view: stored.view };
  }

  private viewsPush(args: SlackArgs, auth: Token): SlackResult {
    const input = this.parseView(args, 'modal');
    const trigger = this.exchangeTrigger(args, auth);
    const stack = this.modalStacks.get(trigger.userId) ?? [];
    if (stack.length === 0) throw new SlackApiError('not_found');
    if (stack.length >= MAX_VIEW_STACK) throw new SlackApiError('push_limit_reached');
    const stored = this.storeNewView(input, auth, trigger.userId, stack[stack.length - 1] ?? null, stack[0]);
    stack.push(stored.view.id);
    return { ok: true, view: stored.view };
  }

  private viewsUpdate(args: SlackArgs, auth: Token): SlackResult {
    const viewId = str(args, 'view_id');
    const externalId = str(args, 'external_id');
    if (!viewId && !externalId) throw missingArgument('view_id');
    const existing = viewId
      ? this.views.get(viewId)
      : this.findViewByExternalId(auth.teamId, externalId as string);
    if (!existing || existing.view.team_id !== auth.teamId) throw new SlackApiError('not_found');
    const input = this.parseView(args, existing.view.type === 'home' ? 'home' : 'modal');
    const hash = str(args, 'hash');
    if (hash && hash !== existing.view.hash) throw new SlackApiError('hash_conflict');
    existing.view = this.buildView(
      { ...input, external_id: input.external_id ?? existing.view.external_id },
      auth,
      existing.view.id,
      {
        previous: existing.view.previous_view_id as string | null,
        root: existing.view.root_view_id as string,
      },
    );
    return { ok: true, view: existing.view };
  }

  private viewsPublish(args: SlackArgs, auth: Token): SlackResult {
    const userId = str(args, 'user_id');
    if (!userId) throw missingArgument('user_id');
    if (!this.options.workspace.findUser(auth.teamId, userId)) throw new SlackApiError('user_not_found');
    const input = this.parseView(args, 'home');
    const hash = str(args, 'hash');
    const home = [...this.views.values()].find((v) => v.userId === userId && v.view.type === 'home');
    if (home) {
      if (hash && hash !== home.view.hash) throw new SlackApiError('hash_conflict');
      home.view = this.buildView(input, auth, home.view.id, { previous: null, root: home.view.id });
      return { ok: true, view: home.view };
    }
    const stored = this.storeNewView(input, auth, userId, null);
    return { ok: true, view: stored.view };
  }

  // ---- OAuth ----

  private oauthV2Access(args: SlackArgs): SlackResult {
    const clientId = str(args, 'client_id');
    const clientSecret = str(args, 'client_secret');
    if (!clientId || clientId !== this.options.clientId) throw new SlackApiError('invalid_client_id');
    if (clientSecret !== this.options.clientSecret) throw new SlackApiError('bad_client_secret');
    const code = str(args, 'code');
    const grant = code ? this.grants.get(code) : undefined;
    if (!grant || grant.used || this.options.now() - grant.issuedAt > OAUTH_CODE_TTL_MS) {
      throw new SlackApiError('invalid_code');
    }
    const redirectUri = str(args, 'redirect_uri');
    if (grant.redirectUri !== undefined && redirectUri !== undefined && redirectUri !== grant.redirectUri) {
      throw new SlackApiError('bad_redirect_uri');
    }
    grant.used = true;
    const workspace = this.options.workspace;
    const team = workspace.requireTeam(grant.teamId);
    // Reinstalling keeps the team's bot token, as Slack does while the app stays installed.
    const existing = workspace.botTokenFor(team.id);
    const bot = existing ?? workspace.issueBotToken(team.id, undefined, grant.scopes);
    if (existing) existing.scopes = [...new Set([...existing.scopes, ...grant.scopes])];
    const userToken =
      grant.userScopes.length > 0
        ? workspace.issueUserToken(team.id, grant.userId, grant.userScopes)
        : undefined;
    return {
      ok: true,
      app_id: this.options.appId,
      authed_user: userToken
        ? {
            id: grant.userId,
            scope: grant.userScopes.join(','),
            access_token: userToken.token,
            token_type: 'user',
          }
        : { id: grant.userId },
      scope: bot.scopes.join(','),
      token_type: 'bot',
      access_token: bot.token,
      bot_user_id: team.botUserId,
      team: { id: team.id, name: team.name },
      enterprise: null,
      is_enterprise_install: false,
    };
  }
}
