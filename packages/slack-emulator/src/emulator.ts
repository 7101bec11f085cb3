import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import {
  type AppAnswer,
  applySubmissionAnswer,
  type CommandContext,
  type SubmissionOutcome,
  showCommandAnswer,
  showUnknownCommand,
} from './app-answers';
import { ChangeFeed } from './change-feed';
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

/**
 * Slack misbehaving at random, for fault-injection runs: each Web API call (except the `spare`
 * methods) independently fails with a transient error, is rate-limited, or is slowed down.
 * Rates are fractions of calls (0–1). A transient failure is one of Slack's: HTTP 500/502/503, or
 * HTTP 200 with `internal_error`, `fatal_error`, `service_unavailable` or `request_timeout`; a
 * share `actedRate` of them happen after the call took effect (the answer was lost on the way),
 * as Slack documents can happen for `internal_error`-like answers.
 */
export interface Chaos {
  /** Share of calls failing with a random transient error (e.g. 0.1). */
  transientRate: number;
  /** Share of calls answered 429 with `Retry-After` (e.g. 0.02). */
  rateLimitRate: number;
  /** Seconds in those `Retry-After` headers (default 1). */
  retryAfterSeconds?: number;
  /** Share of calls delayed by `spikeMs` (a latency spike). */
  spikeRate: number;
  spikeMs: number;
  /** Share of transient failures (5xx and `internal_error`-like) that happen after the call acted. */
  actedRate?: number;
  /** Methods left alone (e.g. `views.open`, whose trigger_id cannot wait for a retry). */
  spare?: string[];
  /** Seed of the random choices (default 1), so a run can be repeated. */
  seed?: number;
}

/** What chaos did so far. */
export interface ChaosTally {
  calls: number;
  transient: number;
  /** Of `transient`: how many took effect before failing. */
  acted: number;
  rateLimited: number;
  spikes: number;
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRANSIENT_FAILURES: Array<{ status: number; error: string; maybeActed: boolean }> = [
  { status: 500, error: 'internal_error', maybeActed: true },
  { status: 502, error: 'service_unavailable', maybeActed: true },
  { status: 503, error: 'service_unavailable', maybeActed: false },
  { status: 200, error: 'internal_error', maybeActed: true },
  { status: 200, error: 'fatal_error', maybeActed: true },
  { status: 200, error: 'service_unavailable', maybeActed: false },
  { status: 200, error: 'request_timeout', maybeActed: true },
];

/** The failures and latency injected now, as the developer panel shows them. */
export interface Faults {
  latencyMs: number;
  /** Queued failures, in the order they will be used; `method` is `*` for any method. */
  failures: Array<Failure & { method: string; times: number }>;
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
  /** How long the emulator took to answer, injected latency included (ms, wall clock). */
  latencyMs: number;
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
  /** What `failNext` and `setLatency` have set up and not yet used. */
  faults(): Faults;
  /** Forgets queued failures and latency. */
  clearFaults(): void;
  /** Makes Slack misbehave at random from now on (see Chaos); `null` stops it. */
  setChaos(chaos: Chaos | null): void;
  /** What chaos did since it was last set. */
  chaosTally(): ChaosTally;
  /** Every change to messages, views, modals, calls, faults and the workspace, as it happens. */
  readonly changes: ChangeFeed;
  /** The modals a person has open, bottom first. */
  modalStack(userId: string): string[];
  /** The app's DM with a person (`D…`), opened as Slack opens it on first use. */
  openIm(teamId: string, userId: string): Channel;
  /** The person closed a modal (and whatever was pushed on top of it). */
  closeModal(userId: string, viewId: string): void;
  /** The app's ID (`A…`), as in interaction payloads. */
  readonly appId: string;
  /** Slack's notice for a slash command no installed app declares, shown to the person only. */
  showUnknownCommand(context: CommandContext): StoredMessage;
  /** Shows the app's answer to a slash command as Slack does; returns the messages it made. */
  showCommandAnswer(context: CommandContext, answer: AppAnswer): StoredMessage[];
  /** Applies the app's answer to a view_submission as Slack does (close, errors, update, push, clear). */
  applySubmissionAnswer(userId: string, viewId: string, answer: AppAnswer): SubmissionOutcome;
  /** A person writes in a conversation (the app is not told: it subscribes to no message events). */
  postAsPerson(input: { channelId: string; userId: string; text: string }): StoredMessage;
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
  const changes = new ChangeFeed();
  const seedOptions: SeedOptions = options.botToken ? { botToken: options.botToken } : {};
  if (options.seed !== false) workspace.seed(seedOptions);
  const webApi = new WebApi({
    workspace,
    now,
    appId: options.appId ?? DEFAULT_APP_ID,
    clientId,
    clientSecret,
    triggerTtlMs: options.triggerTtlMs ?? TRIGGER_TTL_MS,
    changes,
  });
  const responseUrls = new ResponseUrls(webApi, now);
  const calls = new Recorder<RecordedCall>();
  const responses = new Recorder<RecordedResponse>();
  const failures = new Map<string, Array<Required<Pick<Failure, 'times'>> & Failure>>();
  let latencyMs = 0;
  let baseUrl: string | undefined;
  let chaos: (Chaos & { random: () => number }) | null = null;
  let tally: ChaosTally = { calls: 0, transient: 0, acted: 0, rateLimited: 0, spikes: 0 };

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
      changes.emit({ kind: 'faults' });
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
    const started = performance.now();
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
    const chaotic = !failure && chaos && !(chaos.spare ?? []).includes(method) ? chaos : null;
    const roll = chaotic ? chaotic.random() : 1;
    if (chaotic) {
      tally.calls += 1;
      if (chaotic.random() < chaotic.spikeRate) {
        tally.spikes += 1;
        await sleep(chaotic.spikeMs);
      }
    }
    if (chaotic && roll < chaotic.rateLimitRate) {
      tally.rateLimited += 1;
      status = 429;
      headers['retry-after'] = String(chaotic.retryAfterSeconds ?? 1);
      result = { ok: false, error: 'ratelimited' };
    } else if (chaotic && roll < chaotic.rateLimitRate + chaotic.transientRate) {
      tally.transient += 1;
      const pick =
        TRANSIENT_FAILURES[Math.floor(chaotic.random() * TRANSIENT_FAILURES.length)] ?? TRANSIENT_FAILURES[0];
      const { status: failStatus, error, maybeActed } = pick as (typeof TRANSIENT_FAILURES)[number];
      if (
        maybeActed &&
        chaotic.random() < (chaotic.actedRate ?? 0) &&
        webApi.isKnown(method) &&
        parsed?.kind !== 'invalid_json'
      ) {
        // The call is done, and its answer lost.
        auth = token ? workspace.tokens.get(token) : undefined;
        authenticateAndCall(method, raw, token, auth, decodeError);
        tally.acted += 1;
      }
      status = failStatus;
      result = { ok: false, error };
    } else if (failure) {
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
    const call: RecordedCall = {
      method,
      args,
      tokenPresent: token !== undefined,
      ...(auth ? { teamId: auth.teamId } : {}),
      at,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      status,
      response: result,
    };
    calls.add(call);
    changes.emit({ kind: 'call', call });
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
    const parsed = parseFailure(bodyObject(request.body));
    if ('problem' in parsed) return reply.code(400).send({ ok: false, error: parsed.problem });
    failNext(parsed.method, parsed.failure);
    return { ok: true };
  });
  app.delete('/_emulator/fail-next', async () => {
    clearFaults();
    return { ok: true };
  });
  app.get('/_emulator/faults', async () => faults());
  app.post('/_emulator/latency', async (request, reply) => {
    const ms = Number(bodyObject(request.body).ms ?? 0);
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) {
      return reply
        .code(400)
        .send({ ok: false, error: `ms must be a whole number from 0 to ${MAX_LATENCY_MS}` });
    }
    setLatency(ms);
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
    changes.emit({ kind: 'faults' });
  }

  function setLatency(ms: number): void {
    latencyMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
    changes.emit({ kind: 'faults' });
  }

  function faults(): Faults {
    return {
      latencyMs,
      failures: [...failures.entries()].flatMap(([method, queue]) => queue.map((f) => ({ method, ...f }))),
    };
  }

  function setChaos(next: Chaos | null): void {
    chaos = next ? { ...next, random: seededRandom(next.seed ?? 1) } : null;
    tally = { calls: 0, transient: 0, acted: 0, rateLimited: 0, spikes: 0 };
    changes.emit({ kind: 'faults' });
  }

  function clearFaults(): void {
    failures.clear();
    latencyMs = 0;
    changes.emit({ kind: 'faults' });
  }

  function reset(): void {
    calls.clear();
    responses.clear();
    webApi.clear();
    responseUrls.clear();
    failures.clear();
    latencyMs = 0;
    chaos = null;
    changes.emit({ kind: 'reset' });
  }

  function withWorkspaceChange<T>(added: T): T {
    changes.emit({ kind: 'workspace' });
    return added;
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
    faults,
    clearFaults,
    setChaos,
    chaosTally: () => ({ ...tally }),
    changes,
    modalStack: (userId) => webApi.modalStack(userId),
    closeModal: (userId, viewId) => webApi.closeModal(userId, viewId),
    openIm: (teamId, userId) => webApi.openIm(teamId, userId).channel,
    appId: webApi.appId,
    showUnknownCommand: (context) => showUnknownCommand(webApi, context),
    showCommandAnswer: (context, answer) => showCommandAnswer(webApi, context, answer),
    applySubmissionAnswer: (userId, viewId, answer) => applySubmissionAnswer(webApi, userId, viewId, answer),
    postAsPerson: ({ channelId, userId, text }) => {
      const user = workspace.users.get(userId);
      if (!user) throw new Error(`slack-emulator: unknown user ${userId}`);
      return webApi.postMessage({
        channel: channelId,
        team: user.teamId,
        user: userId,
        text,
        blocks: [],
        ephemeral: false,
        via: 'person',
      });
    },
    reset,
    seed: (seed = seedOptions) => {
      workspace.seed(seed);
      changes.emit({ kind: 'workspace' });
    },
    addTeam: (team) => withWorkspaceChange(workspace.addTeam(team)),
    addUser: (user) => withWorkspaceChange(workspace.addUser(user)),
    addChannel: (channel) => withWorkspaceChange(workspace.addChannel(channel)),
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

/** The most `POST /_emulator/latency` accepts: longer than any client timeout worth testing. */
const MAX_LATENCY_MS = 60_000;

/** Checks a `POST /_emulator/fail-next` body; each problem names the field. */
function parseFailure(
  input: Record<string, unknown>,
): { method: string; failure: Failure } | { problem: string } {
  const method = typeof input.method === 'string' ? input.method.trim() : '';
  if (!/^(\*|[a-z]+(\.[a-zA-Z]+)+)$/.test(method)) {
    return { problem: 'method must be a Web API method name like chat.postMessage, or * for any method' };
  }
  const failure: Failure = {};
  if (input.error !== undefined && input.error !== '') {
    if (typeof input.error !== 'string' || !/^[a-z0-9_]{1,64}$/.test(input.error)) {
      return { problem: 'error must be a Slack error code like channel_not_found (a-z, 0-9, _)' };
    }
    failure.error = input.error;
  }
  const integer = (name: 'status' | 'retryAfter' | 'times', min: number, max: number) => {
    const value = input[name];
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    return Number.isInteger(n) && n >= min && n <= max ? n : null;
  };
  const status = integer('status', 200, 599);
  const retryAfter = integer('retryAfter', 0, 3600);
  const times = integer('times', 1, 1000);
  if (status === null) return { problem: 'status must be an HTTP status from 200 to 599' };
  if (retryAfter === null) return { problem: 'retryAfter must be whole seconds from 0 to 3600' };
  if (times === null) return { problem: 'times must be a whole number from 1 to 1000' };
  if (status !== undefined) failure.status = status;
  if (retryAfter !== undefined) failure.retryAfter = retryAfter;
  if (times !== undefined) failure.times = times;
  return { method, failure };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
