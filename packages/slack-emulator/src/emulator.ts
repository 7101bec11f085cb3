import type { AddressInfo } from 'node:net';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { Recorder } from './recorder';
import { type RecordedResponse, type ResponseUrlContext, ResponseUrls } from './response-urls';
import { type SlackArgs, type SlackResult, type StoredMessage, type StoredView, WebApi } from './web-api';
import {
  type Channel,
  DEFAULT_TEAM_ID,
  type NewChannel,
  type NewTeam,
  type NewUser,
  type SeedOptions,
  type Team,
  type Token,
  type User,
  Workspace,
} from './workspace';

export const DEFAULT_CLIENT_ID = '1000000000001.1000000000001';
export const DEFAULT_CLIENT_SECRET = 'emulator-client-secret';
export const DEFAULT_APP_ID = 'A0COFFEE01';
/** Slack: a trigger_id can be exchanged for a view within 3 seconds. */
export const TRIGGER_TTL_MS = 3_000;

export interface SlackEmulatorOptions {
  /** Bot token installed in T0001 by the seed (default `DEFAULT_BOT_TOKEN`). */
  botToken?: string;
  /** OAuth client credentials checked by `/oauth/v2/authorize` and `oauth.v2.access`. */
  clientId?: string;
  clientSecret?: string;
  appId?: string;
  /**
   * The app's configured redirect URL: used when `/oauth/v2/authorize` has no `redirect_uri`,
   * and the prefix a given one must start with.
   */
  redirectUri?: string;
  /** The emulator's clock in ms (default `Date.now`); tests pass their own to expire triggers. */
  now?: () => number;
  triggerTtlMs?: number;
  /** Start from the default workspace (default true). */
  seed?: boolean;
  /** Request logs; silent when omitted. */
  logger?: Logger;
}

export interface Failure {
  /** The error code in `{ ok: false, error }` (default `ratelimited` for 429, else `internal_error`). */
  error?: string;
  /** HTTP status: 429 sends `Retry-After`; 200 (default) is how Slack reports API errors. */
  status?: number;
  /** Seconds in `Retry-After` for 429s (default 1). */
  retryAfter?: number;
  /** How many calls fail (default 1). */
  times?: number;
}

export interface RecordedCall {
  method: string;
  /** The parsed arguments, nested JSON fields decoded, without the token. */
  args: SlackArgs;
  tokenPresent: boolean;
  /** The team of the token, when it was valid. */
  teamId?: string;
  /** Emulator time (ms) when the call arrived. */
  at: number;
  status: number;
  response: SlackResult;
}

export interface SlackEmulatorState {
  workspace: Workspace;
  teams: Map<string, Team>;
  users: Map<string, User>;
  channels: Map<string, Channel>;
  tokens: Map<string, Token>;
  /** Every message in post order, current content, including ephemeral and deleted ones. */
  messages: StoredMessage[];
  views: Map<string, StoredView>;
}

export interface SlackEmulator {
  /** The fastify app: use `app.inject` or `start()`. */
  app: FastifyInstance;
  /** Listens (default 127.0.0.1 on an ephemeral port) and returns the base URL. */
  start(options?: { host?: string; port?: number }): Promise<string>;
  stop(): Promise<void>;
  /** `http://host:port`; throws before `start()`. */
  readonly baseUrl: string;
  /** `<baseUrl>/api/` — give it to WebClient as `slackApiUrl`. */
  readonly apiUrl: string;
  readonly state: SlackEmulatorState;
  readonly calls: RecordedCall[];
  readonly responses: RecordedResponse[];
  callsTo(method: string): RecordedCall[];
  /** The first call (already made or still to come) to `method` that matches. */
  waitForCall(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  waitForResponse(
    predicate?: (response: RecordedResponse) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedResponse>;
  /** Messages of one channel (or all), in post order, deleted ones left out. */
  messagesIn(channelId?: string): StoredMessage[];
  /** Makes the next call(s) to `method` (or `*` for any) fail. */
  failNext(method: string, failure?: Failure): void;
  /** Delays every Web API answer by `ms`. */
  setLatency(ms: number): void;
  /** Forgets calls, messages, views, responses, triggers, failures and latency; the workspace stays. */
  reset(): void;
  /** Replaces the workspace with the default seed. */
  seed(options?: SeedOptions): void;
  addTeam(team: NewTeam): Team;
  addUser(user: NewUser): User;
  addChannel(channel: NewChannel): Channel;
  /** A bot token for a team, with the default bot scopes or the ones given. */
  issueBotToken(teamId: string, token?: string, scopes?: string[]): string;
  /** A trigger_id as Slack puts in a command/interaction, timed from now for `views.open`. */
  issueTrigger(input: { teamId?: string; userId: string }): string;
  /** A real response_url on this emulator (needs `start()`). */
  createResponseUrl(context: ResponseUrlContext): string;
}

type ParsedBody =
  | { kind: 'form'; fields: Record<string, string> }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid_json' }
  | { kind: 'other' };

/** Fields Slack takes as JSON strings in form bodies, and the error a malformed one gets. */
const JSON_FIELDS: Record<string, string> = {
  blocks: 'invalid_blocks_format',
  attachments: 'invalid_attachments',
  view: 'invalid_arguments',
  metadata: 'invalid_metadata_format',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bodyObject(body: unknown): Record<string, unknown> {
  const parsed = body as ParsedBody | undefined;
  if (parsed?.kind === 'form') return parsed.fields;
  if (parsed?.kind === 'json' && isRecord(parsed.value)) return parsed.value;
  return {};
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function createSlackEmulator(options: SlackEmulatorOptions = {}): SlackEmulator {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
  const workspace = new Workspace(now);
  const seedOptions: SeedOptions = options.botToken ? { botToken: options.botToken } : {};
  if (options.seed !== false) workspace.seed(seedOptions);
  const webApi = new WebApi({
    workspace,
    now,
    appId: options.appId ?? DEFAULT_APP_ID,
    clientId,
    clientSecret,
    triggerTtlMs: options.triggerTtlMs ?? TRIGGER_TTL_MS,
  });
  const responseUrls = new ResponseUrls(webApi, now);
  const calls = new Recorder<RecordedCall>();
  const responses = new Recorder<RecordedResponse>();
  const failures = new Map<string, Array<Required<Pick<Failure, 'times'>> & Failure>>();
  let latencyMs = 0;
  let baseUrl: string | undefined;

  const loggerInstance: FastifyBaseLogger | undefined = options.logger?.child({
    component: 'slack-emulator',
  });
  const app: FastifyInstance = Fastify({
    ...(loggerInstance ? { loggerInstance } : {}),
    bodyLimit: 5 * 1024 * 1024,
  });

  // Bodies are parsed here rather than by fastify's defaults so that malformed JSON becomes
  // Slack's `invalid_json` answer instead of a fastify 400, and form bodies need no plugin.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, { kind: 'json', value: {} });
    try {
      done(null, { kind: 'json', value: JSON.parse(text) });
    } catch {
      done(null, { kind: 'invalid_json' });
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, { kind: 'form', fields: Object.fromEntries(new URLSearchParams(String(body))) });
    },
  );
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) =>
    done(null, { kind: 'other' }),
  );

  function takeFailure(method: string): Failure | undefined {
    for (const key of [method, '*']) {
      const queue = failures.get(key);
      const head = queue?.[0];
      if (!queue || !head) continue;
      head.times -= 1;
      if (head.times <= 0) queue.shift();
      return head;
    }
    return undefined;
  }

  function bearer(request: FastifyRequest): string | undefined {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    return match?.[1]?.trim();
  }

  /** HTTP Basic credentials, which `oauth.v2.access` accepts instead of body fields. */
  function basicCredentials(request: FastifyRequest): { client_id?: string; client_secret?: string } {
    const header = request.headers.authorization;
    const match = header ? /^Basic\s+(.+)$/i.exec(header) : null;
    if (!match?.[1]) return {};
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return {};
    return { client_id: decoded.slice(0, colon), client_secret: decoded.slice(colon + 1) };
  }

  async function handleApi(request: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) {
    const method = request.params.method;
    const at = now();
    const parsed = request.body as ParsedBody | undefined;
    const raw: Record<string, unknown> =
      request.method === 'GET'
        ? { ...(request.query as Record<string, unknown>) }
        : { ...bodyObject(parsed) };
    // Slack reads `token` from form fields and query strings, not from JSON bodies.
    const fieldToken = parsed?.kind === 'json' ? undefined : raw.token;
    delete raw.token;
    const token =
      bearer(request) ?? (typeof fieldToken === 'string' && fieldToken !== '' ? fieldToken : undefined);
    if (method === 'oauth.v2.access') Object.assign(raw, { ...basicCredentials(request), ...raw });
    // Decoded before anything else so that every recorded call carries parsed blocks/views.
    const decodeError = decodeJsonFields(raw);

    let status = 200;
    let result: SlackResult;
    let auth: Token | undefined;
    const failure = takeFailure(method);
    const headers: Record<string, string> = {};
    if (failure) {
      status = failure.status ?? 200;
      if (status === 429) headers['retry-after'] = String(failure.retryAfter ?? 1);
      result = { ok: false, error: failure.error ?? (status === 429 ? 'ratelimited' : 'internal_error') };
    } else if (parsed?.kind === 'invalid_json') {
      result = { ok: false, error: 'invalid_json' };
    } else if (parsed?.kind === 'other') {
      result = { ok: false, error: 'invalid_form_data' };
    } else if (!webApi.isKnown(method)) {
      result = { ok: false, error: 'unknown_method', req_method: method };
    } else {
      auth = token ? workspace.tokens.get(token) : undefined;
      result = authenticateAndCall(method, raw, token, auth, decodeError);
    }
    if (auth) headers['x-oauth-scopes'] = auth.scopes.join(',');
    if (latencyMs > 0) await sleep(latencyMs);

    const args = { ...raw };
    if ('client_secret' in args) args.client_secret = '[redacted]';
    calls.add({
      method,
      args,
      tokenPresent: token !== undefined,
      ...(auth ? { teamId: auth.teamId } : {}),
      at,
      status,
      response: result,
    });
    return reply.code(status).headers(headers).send(result);
  }

  function authenticateAndCall(
    method: string,
    raw: SlackArgs,
    token: string | undefined,
    auth: Token | undefined,
    decodeError: string | undefined,
  ): SlackResult {
    if (webApi.requiresAuth(method)) {
      if (!token) return { ok: false, error: 'not_authed' };
      if (!auth) return { ok: false, error: 'invalid_auth' };
    }
    if (decodeError) return { ok: false, error: decodeError };
    return webApi.call(method, raw, auth);
  }

  app.post('/api/:method', handleApi);
  app.get('/api/:method', handleApi);

  // OAuth: the user "clicks Allow" at once; the code goes back to the app's redirect URI.
  app.get('/oauth/v2/authorize', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    if (query.client_id !== clientId) return reply.code(400).type('text/plain').send('invalid_client_id');
    const redirectUri = query.redirect_uri ?? options.redirectUri;
    if (!redirectUri) return reply.code(400).type('text/plain').send('bad_redirect_uri');
    if (options.redirectUri && query.redirect_uri && !query.redirect_uri.startsWith(options.redirectUri)) {
      // Slack only redirects to URLs under the app's configured redirect URL.
      return reply.code(400).type('text/plain').send('bad_redirect_uri');
    }
    const teamId = query.team ?? DEFAULT_TEAM_ID;
    const team = workspace.teams.get(teamId);
    if (!team) return reply.code(400).type('text/plain').send('team_not_found');
    const installer =
      [...workspace.users.values()].find((u) => u.teamId === teamId && u.isOwner && !u.isBot) ??
      [...workspace.users.values()].find((u) => u.teamId === teamId && !u.isBot);
    if (!installer) return reply.code(400).type('text/plain').send('no_installer');
    const split = (value: string | undefined) =>
      (value ?? '')
        .split(/[,\s]+/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    const grant = webApi.issueOAuthCode({
      teamId,
      userId: installer.id,
      scopes: split(query.scope),
      userScopes: split(query.user_scope),
      ...(query.redirect_uri ? { redirectUri: query.redirect_uri } : {}),
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', grant.code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    return reply.redirect(target.toString(), 302);
  });

  app.post('/response-url/*', async (request, reply) => {
    const id = (request.params as Record<string, string>)['*'] ?? '';
    const parsed = request.body as ParsedBody | undefined;
    const body =
      parsed?.kind === 'json'
        ? parsed.value
        : parsed?.kind === 'form' && typeof parsed.fields.payload === 'string'
          ? safeJson(parsed.fields.payload)
          : undefined;
    const outcome = responseUrls.post(id, body);
    const context = responseUrls.context(id);
    if (context) {
      responses.add({
        id,
        url: `${baseUrl ?? ''}/response-url/${id}`,
        at: now(),
        context,
        body: isRecord(body) ? body : {},
        status: outcome.status,
        result: outcome.result,
        ...(outcome.messageTs ? { messageTs: outcome.messageTs } : {}),
      });
    }
    return reply.code(outcome.status).send(outcome.result);
  });

  // For people running the local stack: what the app did, and the knobs tests use in-process.
  app.get('/_emulator/calls', async (request) => {
    const method = (request.query as Record<string, string | undefined>).method;
    return { calls: method ? calls.items.filter((c) => c.method === method) : calls.items };
  });
  app.get('/_emulator/messages', async (request) => {
    const channel = (request.query as Record<string, string | undefined>).channel;
    return { messages: channel ? webApi.messages.filter((m) => m.channel === channel) : webApi.messages };
  });
  app.get('/_emulator/responses', async () => ({ responses: responses.items }));
  app.get('/_emulator/state', async () => ({
    teams: [...workspace.teams.values()],
    users: [...workspace.users.values()],
    channels: [...workspace.channels.values()],
    views: [...webApi.views.values()],
  }));
  app.post('/_emulator/reset', async () => {
    reset();
    return { ok: true };
  });
  app.post('/_emulator/triggers', async (request, reply) => {
    const input = bodyObject(request.body);
    if (typeof input.userId !== 'string')
      return reply.code(400).send({ ok: false, error: 'userId required' });
    const teamId = typeof input.teamId === 'string' ? input.teamId : DEFAULT_TEAM_ID;
    return { ok: true, trigger_id: issueTrigger({ teamId, userId: input.userId }) };
  });
  app.post('/_emulator/response-urls', async (request, reply) => {
    const input = bodyObject(request.body);
    if (typeof input.channelId !== 'string' || typeof input.userId !== 'string') {
      return reply.code(400).send({ ok: false, error: 'channelId and userId required' });
    }
    const context: ResponseUrlContext = {
      teamId: typeof input.teamId === 'string' ? input.teamId : DEFAULT_TEAM_ID,
      channelId: input.channelId,
      userId: input.userId,
      ...(typeof input.messageTs === 'string' ? { messageTs: input.messageTs } : {}),
    };
    return { ok: true, response_url: createResponseUrl(context) };
  });
  app.post('/_emulator/fail-next', async (request, reply) => {
    const input = bodyObject(request.body);
    if (typeof input.method !== 'string')
      return reply.code(400).send({ ok: false, error: 'method required' });
    failNext(input.method, input as Failure);
    return { ok: true };
  });
  app.post('/_emulator/latency', async (request) => {
    const input = bodyObject(request.body);
    setLatency(Number(input.ms ?? 0));
    return { ok: true, ms: latencyMs };
  });

  function issueTrigger(input: { teamId?: string; userId: string }): string {
    return webApi.issueTrigger(input.teamId ?? DEFAULT_TEAM_ID, input.userId).id;
  }

  function createResponseUrl(context: ResponseUrlContext): string {
    if (!baseUrl) throw new Error('slack-emulator: start() the emulator before creating response URLs');
    return `${baseUrl}/response-url/${responseUrls.create(context)}`;
  }

  function failNext(method: string, failure: Failure = {}): void {
    const queue = failures.get(method) ?? [];
    const entry: Required<Pick<Failure, 'times'>> & Failure = { times: failure.times ?? 1 };
    if (failure.error !== undefined) entry.error = failure.error;
    if (failure.status !== undefined) entry.status = failure.status;
    if (failure.retryAfter !== undefined) entry.retryAfter = failure.retryAfter;
    queue.push(entry);
    failures.set(method, queue);
  }

  function setLatency(ms: number): void {
    latencyMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
  }

  function reset(): void {
    calls.clear();
    responses.clear();
    webApi.clear();
    responseUrls.clear();
    failures.clear();
    latencyMs = 0;
  }

  const emulator: SlackEmulator = {
    app,
    async start(listen = {}) {
      const host = listen.host ?? '127.0.0.1';
      await app.listen({ host, port: listen.port ?? 0 });
      const address = app.server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      baseUrl = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
      return baseUrl;
    },
    async stop() {
      await app.close();
      baseUrl = undefined;
    },
    get baseUrl() {
      if (!baseUrl) throw new Error('slack-emulator: not started; call start() first');
      return baseUrl;
    },
    get apiUrl() {
      return `${emulator.baseUrl}/api/`;
    },
    state: {
      workspace,
      teams: workspace.teams,
      users: workspace.users,
      channels: workspace.channels,
      tokens: workspace.tokens,
      messages: webApi.messages,
      views: webApi.views,
    },
    calls: calls.items,
    responses: responses.items,
    callsTo: (method) => calls.items.filter((c) => c.method === method),
    waitForCall: (method, predicate = () => true, timeoutMs = 5_000) =>
      calls.waitFor((c) => c.method === method && predicate(c), timeoutMs, `a call to ${method}`),
    waitForResponse: (predicate = () => true, timeoutMs = 5_000) =>
      responses.waitFor(predicate, timeoutMs, 'a response_url post'),
    messagesIn: (channelId) =>
      webApi.messages.filter((m) => !m.deleted && (channelId === undefined || m.channel === channelId)),
    failNext,
    setLatency,
    reset,
    seed: (seed = seedOptions) => {
      workspace.seed(seed);
    },
    addTeam: (team) => workspace.addTeam(team),
    addUser: (user) => workspace.addUser(user),
    addChannel: (channel) => workspace.addChannel(channel),
    issueBotToken: (teamId, token, scopes) => workspace.issueBotToken(teamId, token, scopes).token,
    issueTrigger,
    createResponseUrl,
  };
  return emulator;
}

/**
 * Parses the fields WebClient sends as JSON strings (`blocks`, `view`, …) in place; returns the
 * error Slack gives for the first malformed one. Fields that stay strings are left as they are.
 */
function decodeJsonFields(raw: SlackArgs): string | undefined {
  let firstError: string | undefined;
  for (const [field, error] of Object.entries(JSON_FIELDS)) {
    const value = raw[field];
    if (typeof value !== 'string') continue;
    if (value === '' && field !== 'view') {
      delete raw[field];
      continue;
    }
    try {
      raw[field] = JSON.parse(value);
    } catch {
      firstError ??= error;
    }
  }
  return firstError;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
