import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import fastifySse from '@fastify/sse';
import fastifyStatic from '@fastify/static';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type AppAnswer, SLACK_ANSWER_TIMEOUT_MS } from './app-answers';
import type { EmulatorChange } from './change-feed';
import { createSlackDriver, type DriverResponse, type SlackDriver } from './driver';
import type { SlackEmulator } from './emulator';
import {
  PAGE_CALLS_KEPT,
  type PageChange,
  type PageEvent,
  type PageMessage,
  type PageSendResult,
  type PageState,
  type PageSubmitResult,
} from './page-types';
import type { StoredMessage } from './web-api';
import { DEFAULT_TEAM_ID } from './workspace';

/**
 * The workspace page: a Slack-like view of the emulator's state in a browser, served by the
 * emulator itself. Every click goes through the real path: the page asks these routes, the
 * routes use the driver to send the app the signed slash command, `block_actions`,
 * `view_submission` or `app_home_opened` Slack would send, and apply the app's answer as Slack
 * does (see app-answers.ts). The built front end (web/dist) is served from `/`.
 */

/** Where the app receives Slack's requests: `<url>/slack/commands`, `/slack/interactions`, `/slack/events`. */
export interface AppConnection {
  url: string;
  signingSecret: string;
}

export interface WorkspacePageOptions {
  /** The app to send requests to; without it the page only shows the emulator's state. */
  app?: AppConnection;
  /** The built front end (default: web/dist of this package). */
  webRoot?: string;
  /** The slash commands the app declares, as in its manifest (default `['/coffee']`). */
  commands?: string[];
  /** The workspace the page shows (default T0001). */
  teamId?: string;
  /** The app's name as Slack shows it (default CoffeeBuddy). */
  appName?: string;
  /** How long Slack waits for the app's answer (default 3000 ms, Slack's; tests shorten it). */
  answerTimeoutMs?: number;
}

export interface WorkspacePage {
  /** Points the page at the app, e.g. once its gateway listens. */
  connect(app: AppConnection): void;
  readonly connected: boolean;
  /** Whether web/dist was found: without it `/` explains how to build the page. */
  readonly built: boolean;
}

/** web/dist beside src/, where `pnpm --filter @coffeebuddy/slack-emulator build` puts the page. */
export const DEFAULT_WEB_ROOT = path.resolve(__dirname, '..', 'web', 'dist');

const UserId = Type.String({ pattern: '^[UW][A-Z0-9]{2,}$', description: 'a person, e.g. U0001' });
const ChannelId = Type.String({ pattern: '^[CGD][A-Z0-9]{2,}$', description: 'a conversation, e.g. C0001' });
const ViewId = Type.String({ pattern: '^V[A-Z0-9]{2,}$' });
const PlainText = Type.Object(
  { type: Type.Literal('plain_text'), text: Type.String() },
  { additionalProperties: true },
);
const TextObject = Type.Object(
  { type: Type.Union([Type.Literal('plain_text'), Type.Literal('mrkdwn')]), text: Type.String() },
  { additionalProperties: true },
);
const Option = Type.Object({ text: PlainText, value: Type.String() }, { additionalProperties: true });
/** Checkbox options may have mrkdwn text. */
const AnyOption = Type.Object({ text: TextObject, value: Type.String() }, { additionalProperties: true });
const StateValue = Type.Object({ type: Type.String({ minLength: 1 }) }, { additionalProperties: true });
const StateValues = Type.Record(Type.String(), Type.Record(Type.String(), StateValue));

const ComposerBody = Type.Object({
  userId: UserId,
  channelId: ChannelId,
  text: Type.String({ minLength: 1, maxLength: 40_000 }),
});
const ActionBody = Type.Object({
  userId: UserId,
  actionId: Type.String({ minLength: 1, maxLength: 255 }),
  blockId: Type.Optional(Type.String({ maxLength: 255 })),
  actionType: Type.Optional(Type.String({ minLength: 1 })),
  value: Type.Optional(Type.String()),
  selectedOption: Type.Optional(Option),
  selectedUser: Type.Optional(UserId),
  selectedOptions: Type.Optional(Type.Array(AnyOption, { maxItems: 100 })),
  selectedUsers: Type.Optional(Type.Array(UserId, { maxItems: 100 })),
  selectedDate: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  channelId: Type.Optional(ChannelId),
  messageTs: Type.Optional(Type.String({ pattern: '^\\d+\\.\\d+$' })),
  viewId: Type.Optional(ViewId),
  stateValues: Type.Optional(StateValues),
});
const SubmissionBody = Type.Object({ userId: UserId, viewId: ViewId, values: StateValues });
const CloseBody = Type.Object({ userId: UserId, viewId: ViewId });
const HomeOpenedBody = Type.Object({
  userId: UserId,
  tab: Type.Union([Type.Literal('home'), Type.Literal('messages')]),
});
const PersonBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 80 }),
  realName: Type.Optional(Type.String({ maxLength: 80 })),
  tz: Type.String({ minLength: 1, maxLength: 64 }),
});

const body = <T extends TSchema>(schema: T) => ({ schema: { body: schema } });

/** A 4xx the page shows as it is: `{ error: code, message }`. */
class PageError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Registers the page's routes on the emulator (before `start()`): `GET /` (the built page),
 * `GET /_emulator/page/state`, `GET /_emulator/page/events` (server-sent events) and the
 * POST routes the page's controls use. Request bodies are checked against the schemas above;
 * a bad one gets 400 naming the field, an unknown person, conversation or view 404, and a page
 * not connected to an app 409.
 */
export function registerWorkspacePage(
  emulator: SlackEmulator,
  options: WorkspacePageOptions = {},
): WorkspacePage {
  const teamId = options.teamId ?? DEFAULT_TEAM_ID;
  const commands = options.commands ?? ['/coffee'];
  const appName = options.appName ?? 'CoffeeBuddy';
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const answerTimeoutMs = options.answerTimeoutMs ?? SLACK_ANSWER_TIMEOUT_MS;
  const built = existsSync(path.join(webRoot, 'index.html'));
  let driver: SlackDriver | undefined;

  const page: WorkspacePage = {
    connect(app) {
      driver = createSlackDriver({ gatewayUrl: app.url, signingSecret: app.signingSecret, emulator, teamId });
    },
    get connected() {
      return driver !== undefined;
    },
    built,
  };
  if (options.app) page.connect(options.app);

  const requireDriver = (): SlackDriver => {
    if (!driver) {
      throw new PageError(
        409,
        'not_connected',
        'The emulator is not connected to an app: start it with SLACK_EMULATOR_APP_URL and SLACK_SIGNING_SECRET (scripts/run.sh does).',
      );
    }
    return driver;
  };

  registerFrontEnd(emulator.app, webRoot, built);
  emulator.app.register(
    async (scope) => {
      // The emulator parses JSON its own way for the Web API; the page's routes take plain JSON.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'string' },
        scope.getDefaultJsonParser('error', 'error'),
      );
      scope.setErrorHandler((error, _request, reply) => {
        if (error instanceof PageError) {
          return reply.code(error.statusCode).send({ error: error.code, message: error.message });
        }
        const { statusCode, message } = error as { statusCode?: number; message?: string };
        if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
          return reply.code(statusCode).send({ error: 'invalid_request', message });
        }
        reply.log.error({ err: error }, 'workspace page request failed');
        return reply.code(500).send({ error: 'internal_error', message: 'the emulator failed; see its log' });
      });
      await scope.register(fastifySse, { heartbeatInterval: 15_000 });
      registerStateRoutes(scope, emulator, { teamId, commands, appName, connected: () => page.connected });
      registerSendRoutes(scope, emulator, { teamId, commands, requireDriver, answerTimeoutMs });
    },
    { prefix: '/_emulator/page' },
  );
  return page;
}

function registerFrontEnd(app: FastifyInstance, webRoot: string, built: boolean): void {
  if (built) {
    app.register(fastifyStatic, { root: webRoot, prefix: '/', index: ['index.html'] });
    return;
  }
  app.get('/', async (_request, reply) =>
    reply
      .code(503)
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><title>Slack emulator</title><h1>The workspace page is not built</h1>' +
          '<p>Run <code>pnpm --filter @coffeebuddy/slack-emulator build</code> (scripts/run.sh does it), then restart the emulator.</p>' +
          '<p>The Web API (<code>/api/</code>) and <code>/_emulator/</code> work without it.</p>',
      ),
  );
}

function pageMessage(message: StoredMessage): PageMessage {
  const { history: _history, ...rest } = message;
  return rest;
}

function toPageChange(emulator: SlackEmulator, change: EmulatorChange): PageChange {
  switch (change.kind) {
    case 'message':
      return { kind: 'message', message: pageMessage(change.message) };
    case 'view':
      return { kind: 'view', view: change.view };
    case 'modals':
      return change;
    case 'call':
      return { kind: 'call', call: change.call as PageState['calls'][number] };
    case 'faults':
      return { kind: 'faults', faults: emulator.faults() };
    case 'workspace':
    case 'reset':
      return { kind: 'refresh' };
  }
}

function pageState(
  emulator: SlackEmulator,
  settings: { teamId: string; commands: string[]; appName: string; connected: boolean },
): PageState {
  const { state } = emulator;
  const team = state.teams.get(settings.teamId);
  if (!team) throw new PageError(404, 'team_not_found', `the emulator has no team ${settings.teamId}`);
  const people = [...state.users.values()].filter((u) => u.teamId === team.id && !u.deleted);
  const modals: Record<string, string[]> = {};
  for (const person of people) {
    const stack = emulator.modalStack(person.id);
    if (stack.length > 0) modals[person.id] = stack;
  }
  return {
    seq: emulator.changes.lastSeq,
    team: { id: team.id, name: team.name, domain: team.domain },
    app: {
      name: settings.appName,
      appId: emulator.appId,
      botUserId: team.botUserId,
      connected: settings.connected,
      commands: settings.commands,
    },
    people: people.map((u) => ({
      id: u.id,
      name: u.name,
      realName: u.realName,
      tz: u.tz,
      tzLabel: u.tzLabel,
      isAdmin: u.isAdmin,
      isOwner: u.isOwner,
      isBot: u.isBot,
    })),
    conversations: [...state.channels.values()]
      .filter((c) => c.teamId === team.id)
      .map((c) => ({
        id: c.id,
        name: c.name,
        isIm: c.isIm,
        isPrivate: c.isPrivate,
        ...(c.user ? { user: c.user } : {}),
      })),
    messages: state.messages.filter((m) => m.team === team.id && !m.deleted).map(pageMessage),
    views: [...state.views.values()].filter((v) => v.view.team_id === team.id),
    modals,
    calls: emulator.calls.slice(-PAGE_CALLS_KEPT),
    faults: emulator.faults(),
  };
}

function registerStateRoutes(
  scope: FastifyInstance,
  emulator: SlackEmulator,
  settings: { teamId: string; commands: string[]; appName: string; connected: () => boolean },
): void {
  const streams = new Set<FastifyReply>();
  scope.get('/state', async () => pageState(emulator, { ...settings, connected: settings.connected() }));

  scope.get('/events', { sse: 'only' }, async (_request, reply) => {
    reply.sse.keepAlive();
    streams.add(reply);
    const unsubscribe = emulator.changes.subscribe((change, seq) => {
      const event: PageEvent = { seq, ...toPageChange(emulator, change) };
      reply.sse.send({ id: String(seq), data: event }).catch(() => {
        // The browser went away; onClose unsubscribes.
      });
    });
    reply.sse.onClose(() => {
      unsubscribe();
      streams.delete(reply);
    });
    // A comment line at once, so the browser's EventSource reports the stream open.
    await reply.sse.send({ event: 'ready', data: { seq: emulator.changes.lastSeq } });
  });

  // Open streams would keep `close()` waiting for browsers that never leave.
  scope.addHook('preClose', async () => {
    for (const reply of streams) reply.sse.close();
    streams.clear();
  });
}

/** Runs one request to the app the way Slack does: it waits at most 3 s for the answer. */
async function sendToApp(
  send: () => Promise<DriverResponse>,
  timeoutMs: number,
): Promise<{ answer: AppAnswer; result: PageSendResult }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const request = send().then(
    (response): AppAnswer => ({ kind: 'http', status: response.status, body: response.body }),
    (error: Error & { cause?: { code?: string; message?: string } }): AppAnswer => ({
      kind: 'unreachable',
      detail: error.cause?.code ?? error.cause?.message ?? error.message,
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<AppAnswer>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout', afterMs: timeoutMs }), timeoutMs);
  });
  const answer = await Promise.race([request, timeout]);
  clearTimeout(timer);
  const latencyMs = elapsed();
  switch (answer.kind) {
    case 'http':
      return {
        answer,
        result: {
          status: answer.status,
          latencyMs,
          ...(answer.status >= 300 ? { problem: `the app answered HTTP ${answer.status}` } : {}),
        },
      };
    case 'timeout':
      return {
        answer,
        result: { latencyMs, problem: `the app did not answer within ${timeoutMs} ms` },
      };
    case 'unreachable':
      return { answer, result: { latencyMs, problem: `the app could not be reached (${answer.detail})` } };
  }
}

function registerSendRoutes(
  scope: FastifyInstance,
  emulator: SlackEmulator,
  settings: {
    teamId: string;
    commands: string[];
    requireDriver: () => SlackDriver;
    answerTimeoutMs: number;
  },
): void {
  const send = (request: () => Promise<DriverResponse>) => sendToApp(request, settings.answerTimeoutMs);
  const { state } = emulator;
  const { teamId } = settings;

  const person = (userId: string) => {
    const user = state.users.get(userId);
    if (!user || user.teamId !== teamId || user.isBot || user.deleted) {
      throw new PageError(404, 'user_not_found', `no person ${userId} in ${teamId}`);
    }
    return user;
  };
  const conversation = (channelId: string) => {
    const channel = state.channels.get(channelId);
    if (!channel || channel.teamId !== teamId) {
      throw new PageError(404, 'channel_not_found', `no conversation ${channelId} in ${teamId}`);
    }
    return channel;
  };

  // The composer: `/command text` is a slash command for the app; anything else is a message.
  scope.post('/messages', body(ComposerBody), async (request) => {
    const input = request.body as Static<typeof ComposerBody>;
    person(input.userId);
    conversation(input.channelId);
    const typed = input.text.trim();
    const command = /^(\/\S+)\s*([\s\S]*)$/.exec(typed);
    if (!command) {
      const message = emulator.postAsPerson({
        channelId: input.channelId,
        userId: input.userId,
        text: typed,
      });
      return { ts: message.ts };
    }
    const [, name = '', text = ''] = command;
    const context = { teamId, channelId: input.channelId, userId: input.userId, command: name, text };
    if (!settings.commands.includes(name)) {
      emulator.showUnknownCommand(context);
      return { problem: `${name} is not a command the app declares` };
    }
    const driver = settings.requireDriver();
    const { answer, result } = await send(() =>
      driver.slashCommand({ command: name, text, userId: input.userId, channelId: input.channelId }),
    );
    emulator.showCommandAnswer(context, answer);
    return result;
  });

  scope.post('/actions', body(ActionBody), async (request) => {
    const input = request.body as Static<typeof ActionBody>;
    person(input.userId);
    const driver = settings.requireDriver();
    if (input.viewId) {
      const view = state.views.get(input.viewId);
      if (!view || view.userId !== input.userId) {
        throw new PageError(404, 'view_not_found', `${input.userId} has no view ${input.viewId}`);
      }
    } else {
      if (!input.channelId || !input.messageTs) {
        throw new PageError(400, 'invalid_request', 'an action needs channelId and messageTs, or viewId');
      }
      conversation(input.channelId);
      const message = state.messages.find(
        (m) =>
          m.channel === input.channelId &&
          m.ts === input.messageTs &&
          !m.deleted &&
          (!m.ephemeral || m.visible_to === input.userId),
      );
      if (!message) {
        throw new PageError(404, 'message_not_found', `no message ${input.messageTs} in ${input.channelId}`);
      }
    }
    // Slack ignores what the app answers to block_actions: only the status matters.
    const { result } = await send(() => driver.blockAction(input));
    return result;
  });

  scope.post('/submissions', body(SubmissionBody), async (request): Promise<PageSubmitResult> => {
    const input = request.body as Static<typeof SubmissionBody>;
    person(input.userId);
    const stack = emulator.modalStack(input.userId);
    if (stack[stack.length - 1] !== input.viewId) {
      throw new PageError(
        409,
        'view_not_open',
        `${input.viewId} is not the modal ${input.userId} has on top`,
      );
    }
    const driver = settings.requireDriver();
    const { answer, result } = await send(() =>
      driver.viewSubmission({ userId: input.userId, viewId: input.viewId, values: input.values }),
    );
    return { ...result, outcome: emulator.applySubmissionAnswer(input.userId, input.viewId, answer) };
  });

  scope.post('/closed-views', body(CloseBody), async (request) => {
    const input = request.body as Static<typeof CloseBody>;
    person(input.userId);
    if (!emulator.modalStack(input.userId).includes(input.viewId)) {
      throw new PageError(409, 'view_not_open', `${input.userId} has no open modal ${input.viewId}`);
    }
    emulator.closeModal(input.userId, input.viewId);
    return { closed: input.viewId };
  });

  // Slack sends app_home_opened every time a person opens the app's Home or Messages tab.
  scope.post('/home-opened', body(HomeOpenedBody), async (request) => {
    const input = request.body as Static<typeof HomeOpenedBody>;
    person(input.userId);
    const driver = settings.requireDriver();
    const channel = emulator.openIm(teamId, input.userId);
    const home = [...state.views.values()].find((v) => v.userId === input.userId && v.view.type === 'home');
    const { result } = await send(() =>
      driver.event({
        type: 'app_home_opened',
        user: input.userId,
        channel: channel.id,
        tab: input.tab,
        ...(home && input.tab === 'home' ? { view: home.view } : {}),
      }),
    );
    return { ...result, channelId: channel.id };
  });

  scope.post('/people', body(PersonBody), async (request, reply) => {
    const input = request.body as Static<typeof PersonBody>;
    const name = input.name.trim().toLowerCase();
    const problems: string[] = [];
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
      problems.push('name: use letters, digits, periods, hyphens and underscores (as a Slack username)');
    }
    if ([...state.users.values()].some((u) => u.teamId === teamId && u.name === name)) {
      problems.push(`name: ${name} is already taken`);
    }
    const zone = describeTimezone(input.tz.trim());
    if (!zone) problems.push(`tz: ${input.tz} is not an IANA timezone (e.g. Europe/Berlin)`);
    if (problems.length > 0 || !zone) {
      return reply.code(400).send({ error: 'invalid_person', message: problems.join('; ') });
    }
    const added = emulator.addUser({
      teamId,
      name,
      realName: input.realName?.trim() || name,
      tz: zone.tz,
      tzLabel: zone.label,
      tzOffset: zone.offsetSeconds,
    });
    return { id: added.id, name: added.name };
  });
}

/**
 * An IANA timezone's canonical name, long label and current UTC offset (seconds), as Slack's
 * `users.info` gives them (`tz`, `tz_label`, `tz_offset`); undefined when the name is unknown.
 */
export function describeTimezone(
  tz: string,
  at: Date = new Date(),
): { tz: string; label: string; offsetSeconds: number } | undefined {
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  const part = (timeZoneName: 'long' | 'longOffset') =>
    new Intl.DateTimeFormat('en-US', { timeZone: canonical, timeZoneName })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const offset = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(part('longOffset'));
  const sign = offset?.[1] === '-' ? -1 : 1;
  const offsetSeconds = offset?.[1] ? sign * (Number(offset[2]) * 3600 + Number(offset[3]) * 60) : 0;
  return { tz: canonical, label: part('long'), offsetSeconds };
}
