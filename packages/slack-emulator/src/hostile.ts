import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { signSlackRequest } from './signing';

/**
 * Hostile requests for a Slack app's request URLs, generated with fast-check: what a forger, a
 * replayer, a fuzzer or a broken proxy could send instead of Slack. Every one of them must be
 * answered with a 4xx (or, for a signed request naming nothing the app acts on, a plain 200) and
 * make the app publish nothing. Shapes of the valid requests they start from: docs.slack.dev,
 * "Slash commands", "Interaction payloads" and the Events API's `event_callback`.
 */

/** One HTTP request as sent on the wire. */
export interface HostileRequest {
  path: '/slack/commands' | '/slack/interactions' | '/slack/events';
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * What the app must answer: `refused` is any 4xx; `ignored` is a 200 (a signed request that names
 * nothing the app acts on, or that it answers without acting: help, ssl_check, a url_verification,
 * a run that does not exist) or a 4xx. Never a 5xx, never a published message.
 */
export type HostileExpectation = 'refused' | 'ignored';

/** A generated case: one request, or several in order (a replay sends the same one twice). */
export interface HostileCase {
  /** The kind of abuse, for the tally (`forged`, `stale`, `deep_json`, …). */
  kind: string;
  steps: Array<{ request: HostileRequest; expect: HostileExpectation }>;
}

export interface HostileOptions {
  /** The app's signing secret: the generator signs what a forger could not, to reach deeper checks. */
  signingSecret: string;
  /** Seconds since the epoch, as the app's clock reads them. */
  nowSeconds: () => number;
  /** The app's body limit in bytes (the gateway's BODY_LIMIT_BYTES, 64 KiB by default). */
  bodyLimitBytes?: number;
  teamId?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  'toLocaleString',
];

/** A Slack-like ID (`C…`, `U…`, `T…`). */
const slackId = (prefix: string) => fc.stringMatching(/^[A-Z0-9]{8,11}$/).map((rest) => `${prefix}${rest}`);

/** Any JSON value, including the awkward ones (deep, huge strings, prototype keys). */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(...PROTO_KEYS),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 40 }),
  fc.constant('x'.repeat(5000)),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.dictionary(fc.constantFrom(...PROTO_KEYS), fc.string(), { maxKeys: 3 }),
);

function commandFields(teamId: string, channelId: string, userId: string, text: string) {
  return {
    token: 'verification-token',
    team_id: teamId,
    team_domain: 'coffeebuddy-dev',
    channel_id: channelId,
    channel_name: 'coffee',
    user_id: userId,
    user_name: 'someone',
    command: '/coffee',
    text,
    api_app_id: 'A0001',
    response_url: 'https://hooks.slack.com/commands/T0001/1/abc',
    trigger_id: '1234.5678.abcdef',
  };
}

/** Sets `value` at a path of an object (a copy), for "wrong type in every field". */
function withValueAt(object: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const base = (typeof object === 'object' && object !== null ? object : {}) as Record<string, unknown>;
  const copy: Record<string, unknown> = Array.isArray(base) ? ([...base] as never) : { ...base };
  Object.defineProperty(copy, head, {
    value: withValueAt(base[head], rest, value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/** Every path to a leaf of a JSON object. */
function leafPaths(object: unknown, prefix: string[] = []): string[][] {
  if (typeof object !== 'object' || object === null) return [prefix];
  return Object.entries(object).flatMap(([key, value]) => leafPaths(value, [...prefix, key]));
}

/**
 * The generator. `cases()` is a fast-check arbitrary of hostile cases; `valid*` build the
 * well-formed requests hostile ones are derived from (a valid one must still be answered after
 * a flood).
 */
export function hostileRequests(options: HostileOptions) {
  const { signingSecret } = options;
  const teamId = options.teamId ?? 'T0001';
  const limit = options.bodyLimitBytes ?? 64 * 1024;

  function signed(
    path: HostileRequest['path'],
    body: string | Buffer,
    contentType: string | null,
    timestamp = options.nowSeconds(),
    secret = signingSecret,
  ): HostileRequest {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const headers: Record<string, string> = {
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(secret, timestamp, bytes),
    };
    if (contentType !== null) headers['content-type'] = contentType;
    return { path, headers, body: bytes };
  }

  /** A valid slash command (`/coffee <text>`) as Slack sends it. */
  function validCommand(channelId: string, userId: string, text: string): HostileRequest {
    return signed(
      '/slack/commands',
      new URLSearchParams(commandFields(teamId, channelId, userId, text)).toString(),
      FORM,
    );
  }

  const blockActions = (actionId: string, value: string) => ({
    type: 'block_actions',
    team: { id: teamId },
    user: { id: 'U0001', team_id: teamId },
    channel: { id: 'C0001' },
    container: { channel_id: 'C0001', message_ts: '1700000000.000100' },
    trigger_id: '1234.5678.abcdef',
    response_url: 'https://hooks.slack.com/actions/T0001/1/abc',
    actions: [{ action_id: actionId, block_id: 'run_actions', value }],
  });
  const orderSubmission = (privateMetadata: string, text: unknown) => ({
    type: 'view_submission',
    team: { id: teamId },
    user: { id: 'U0002', team_id: teamId },
    view: {
      id: 'V0001',
      callback_id: 'order_modal',
      private_metadata: privateMetadata,
      state: { values: { order: { text: { type: 'plain_text_input', value: text } } } },
    },
  });
  const homeOpened = (eventId: string) => ({
    type: 'event_callback',
    team_id: teamId,
    event_id: eventId,
    event: { type: 'app_home_opened', user: 'U0001', channel: 'D0001', tab: 'home' },
  });
  const interaction = (payload: unknown) =>
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

  const path = fc.constantFrom<HostileRequest['path']>(
    '/slack/commands',
    '/slack/interactions',
    '/slack/events',
  );
  /** A body the app would act on if it were signed: a real /coffee, a real close_run, a home. */
  const actionable = fc
    .tuple(path, slackId('C'), fc.uuid())
    .map(([p, channel, runId]): { path: HostileRequest['path']; body: string; type: string } =>
      p === '/slack/commands'
        ? {
            path: p,
            body: new URLSearchParams(commandFields(teamId, channel, 'U0001', 'in 10m')).toString(),
            type: FORM,
          }
        : p === '/slack/interactions'
          ? { path: p, body: interaction(blockActions('close_run', runId)), type: FORM }
          : { path: p, body: JSON.stringify(homeOpened(`Ev${randomUUID().slice(0, 8)}`)), type: JSON_TYPE },
    );
  const one = (
    kind: string,
    request: HostileRequest,
    expect: HostileExpectation = 'refused',
  ): HostileCase => ({
    kind,
    steps: [{ request, expect }],
  });

  const forged = actionable.chain((a) =>
    fc
      .string({ minLength: 1, maxLength: 20 })
      .map((wrong) =>
        one('forged', signed(a.path, a.body, a.type, options.nowSeconds(), `${signingSecret}${wrong}`)),
      ),
  );
  const stale = fc
    .tuple(actionable, fc.integer({ min: 301, max: 10_000_000 }))
    .map(([a, age]) => one('stale', signed(a.path, a.body, a.type, options.nowSeconds() - age)));
  // At least two minutes beyond the window: a case may be sent a while after it was made.
  const future = fc
    .tuple(actionable, fc.integer({ min: 420, max: 10_000_000 }))
    .map(([a, ahead]) => one('future', signed(a.path, a.body, a.type, options.nowSeconds() + ahead)));
  const tampered = fc
    .tuple(actionable, fc.nat(), fc.string({ minLength: 1, maxLength: 3 }))
    .map(([a, at, extra]) => {
      const request = signed(a.path, a.body, a.type);
      const text = request.body.toString('utf8');
      const i = at % (text.length + 1);
      return one('tampered', { ...request, body: Buffer.from(text.slice(0, i) + extra + text.slice(i)) });
    });
  const truncated = fc.tuple(actionable, fc.nat()).map(([a, cut]) => {
    const request = signed(a.path, a.body, a.type);
    return one('truncated', { ...request, body: request.body.subarray(0, cut % request.body.length) });
  });
  const badHeaders = fc
    .tuple(
      actionable,
      fc.constantFrom(
        'no-signature',
        'no-timestamp',
        'neither',
        'timestamp-not-a-number',
        'timestamp-huge',
        'timestamp-negative',
        'signature-v1',
        'signature-no-prefix',
        'signature-not-hex',
        'signature-short',
        'signature-empty',
      ),
    )
    .map(([a, variant]) => {
      const request = signed(a.path, a.body, a.type);
      const headers = { ...request.headers };
      const signature = headers['x-slack-signature'] ?? '';
      if (variant === 'no-signature' || variant === 'neither') delete headers['x-slack-signature'];
      if (variant === 'no-timestamp' || variant === 'neither') delete headers['x-slack-request-timestamp'];
      if (variant === 'timestamp-not-a-number') headers['x-slack-request-timestamp'] = '12abc';
      if (variant === 'timestamp-huge') headers['x-slack-request-timestamp'] = '9'.repeat(400);
      if (variant === 'timestamp-negative') headers['x-slack-request-timestamp'] = '-1';
      if (variant === 'signature-v1') headers['x-slack-signature'] = signature.replace(/^v0=/, 'v1=');
      if (variant === 'signature-no-prefix') headers['x-slack-signature'] = signature.slice(3);
      if (variant === 'signature-not-hex') headers['x-slack-signature'] = `v0=${'z'.repeat(64)}`;
      if (variant === 'signature-short') headers['x-slack-signature'] = signature.slice(0, 20);
      if (variant === 'signature-empty') headers['x-slack-signature'] = '';
      return one(`headers_${variant}`, { ...request, headers });
    });
  const contentTypes = fc.constantFrom(
    null,
    '',
    'text/plain',
    'text/html; charset=utf-8',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    'application/octet-stream',
    'application/x-coffee',
    '*/*',
    ';',
    'application',
    'application/json-patch+json',
  );
  const wrongContentType = fc
    .tuple(actionable, contentTypes, fc.boolean())
    .map(([a, type, sign]) =>
      one(
        type === null ? 'content_type_missing' : 'content_type_wrong',
        sign
          ? signed(a.path, a.body, type)
          : { ...signed(a.path, a.body, type), headers: type === null ? {} : { 'content-type': type } },
      ),
    );
  const oversized = fc
    .tuple(path, fc.integer({ min: 1, max: 4 * limit }))
    .map(([p, extra]) =>
      one(
        'oversized',
        signed(p, `text=${'x'.repeat(limit + extra)}`, p === '/slack/events' ? JSON_TYPE : FORM),
      ),
    );
  const invalidUtf8 = fc
    .tuple(path, fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.boolean())
    .map(([p, bytes, sign]) => {
      const body = Buffer.concat([
        Buffer.from('payload='),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(bytes),
      ]);
      const type = p === '/slack/events' ? JSON_TYPE : FORM;
      // Signed over the raw bytes, as Slack would sign them (not over their UTF-8 reading).
      const request = signed(p, body, type);
      return one('invalid_utf8', sign ? request : { ...request, headers: { 'content-type': type } });
    });
  const confusion = actionable.map((a) => {
    // A form where JSON is expected and JSON where a form is expected, each correctly signed.
    const asJson = a.type === FORM;
    const body = asJson
      ? JSON.stringify(Object.fromEntries(new URLSearchParams(a.body)))
      : new URLSearchParams({ payload: a.body }).toString();
    return one(
      'json_form_confusion',
      signed(a.path, body, asJson ? JSON_TYPE : FORM),
      a.path === '/slack/events' ? 'refused' : 'refused',
    );
  });
  const protoKey = fc.constantFrom(...PROTO_KEYS);
  const prototypePollution = fc
    .tuple(
      fc.constantFrom('callback_id', 'action_id', 'type', 'event_type', 'command_field', 'nested'),
      protoKey,
    )
    .map(([where, key]): HostileCase => {
      if (where === 'callback_id') {
        const payload = {
          type: 'view_submission',
          team: { id: teamId },
          user: { id: 'U0002' },
          view: { id: 'V1', callback_id: key },
        };
        return one('prototype_keys', signed('/slack/interactions', interaction(payload), FORM), 'ignored');
      }
      if (where === 'action_id')
        return one(
          'prototype_keys',
          signed('/slack/interactions', interaction(blockActions(key, 'x')), FORM),
          'ignored',
        );
      if (where === 'type')
        return one(
          'prototype_keys',
          signed('/slack/interactions', interaction({ type: key, [key]: { polluted: true } }), FORM),
          'ignored',
        );
      if (where === 'event_type')
        return one(
          'prototype_keys',
          signed(
            '/slack/events',
            JSON.stringify({ ...homeOpened('Ev1'), event: { type: key, user: 'U1', channel: 'D1' } }),
            JSON_TYPE,
          ),
          'ignored',
        );
      if (where === 'command_field') {
        // `<!constructor>` and friends in the text, and the form's own keys named like the prototype's.
        // (A pickup time that does not exist, so the command is answered and nothing published.)
        const fields = commandFields(teamId, 'C0001', 'U0001', `25:00 <!${key}> <@${key}> <#${key}>`);
        return one(
          'prototype_keys',
          signed(
            '/slack/commands',
            `${new URLSearchParams(fields).toString()}&${key}=1&__proto__[admin]=1`,
            FORM,
          ),
          'ignored',
        );
      }
      const polluted = `{"type":"block_actions","__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"team":{"id":"${teamId}"},"user":{"id":"U0001"},"trigger_id":"t","actions":[{"action_id":"${key}","__proto__":{"action_id":"close_run"}}]}`;
      return one(
        'prototype_keys',
        signed('/slack/interactions', new URLSearchParams({ payload: polluted }).toString(), FORM),
        'ignored',
      );
    });
  const hugeFields = fc
    .tuple(
      fc.constantFrom('/slack/commands', '/slack/interactions'),
      fc.integer({ min: Math.floor(limit / 60), max: Math.floor(limit / 6) }),
    )
    .map(([p, count]) => {
      const parts = Array.from({ length: count }, (_, i) => `f${i}=1`);
      return one('huge_field_count', signed(p as HostileRequest['path'], parts.join('&'), FORM));
    });
  const hugeJsonKeys = fc
    .integer({ min: Math.floor(limit / 120), max: Math.floor(limit / 12) })
    .map((count) => {
      const payload: Record<string, number> = {};
      for (let i = 0; i < count; i += 1) payload[`k${i}`] = i;
      return one(
        'huge_field_count',
        signed('/slack/events', JSON.stringify({ type: 'event_callback', ...payload }), JSON_TYPE),
        'ignored',
      );
    });
  const deepJson = fc
    .tuple(
      fc.constantFrom('/slack/events', '/slack/interactions'),
      fc.integer({ min: Math.floor(limit / 40), max: Math.floor(limit / 4) }),
      fc.boolean(),
    )
    .map(([p, depth, arrays]) => {
      const open = arrays ? '[' : '{"a":';
      const close = arrays ? ']' : '}';
      const deep = `${open.repeat(depth)}1${close.repeat(depth)}`;
      const json = `{"type":"event_callback","team_id":"${teamId}","event_id":"Ev1","event":${deep}}`;
      return p === '/slack/events'
        ? one('deep_json', signed(p, json, JSON_TYPE), 'ignored')
        : one(
            'deep_json',
            signed(
              p as HostileRequest['path'],
              `payload=${encodeURIComponent(json.replace('event_callback', 'block_actions'))}`,
              FORM,
            ),
          );
    });
  /** A valid payload with one field (any leaf) replaced by a value of another type. */
  const wrongTypes = fc
    .tuple(
      fc.constantFrom('block_actions', 'order_submission', 'event', 'command'),
      fc.nat(),
      anyJson,
      fc.uuid(),
    )
    .map(([which, at, value, runId]): HostileCase => {
      if (which === 'command') {
        const fields = commandFields(teamId, 'C0001', 'U0001', 'in 10m');
        // The fields a slash command cannot do without (the others are informational).
        const keys = ['team_id', 'channel_id', 'user_id', 'command', 'trigger_id', 'response_url'] as const;
        const key = keys[at % keys.length] ?? 'team_id';
        const broken: Record<string, string> = { ...fields };
        // A form has only strings: the wrong "type" is an empty, huge or bracketed field.
        broken[key] = typeof value === 'string' ? '' : JSON.stringify(value).slice(0, 0);
        return one('wrong_types', signed('/slack/commands', new URLSearchParams(broken).toString(), FORM));
      }
      const base =
        which === 'block_actions'
          ? blockActions('close_run', runId)
          : which === 'order_submission'
            ? orderSubmission(JSON.stringify({ runId, channelId: 'C0001' }), 'tea')
            : homeOpened(`Ev${runId.slice(0, 8)}`);
      // Only the fields that decide what is published, so every case must be refused or ignored.
      const paths = leafPaths(base).filter((p) =>
        which === 'block_actions'
          ? ['trigger_id', 'user', 'actions'].includes(p[0] ?? '')
          : which === 'order_submission'
            ? ['user', 'view'].includes(p[0] ?? '') && p[p.length - 1] !== 'type'
            : ['team_id', 'event_id', 'event'].includes(p[0] ?? '') && p[p.length - 1] !== 'tab',
      );
      const target = paths[at % paths.length] ?? [];
      const sameType =
        typeof value === typeof target.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], base);
      const replacement = sameType ? { wrong: value } : value;
      const payload = withValueAt(base, target, replacement);
      return which === 'event'
        ? one('wrong_types', signed('/slack/events', JSON.stringify(payload), JSON_TYPE), 'ignored')
        : one('wrong_types', signed('/slack/interactions', interaction(payload), FORM), 'ignored');
    });
  const unknownAction = fc
    .string({ minLength: 1, maxLength: 255 })
    .filter(
      (id) =>
        !['place_order', 'use_last_order', 'cancel_order', 'close_run'].includes(id) &&
        !/^(admin|home)_/.test(id),
    )
    .map((id) =>
      one(
        'unknown_action_id',
        signed('/slack/interactions', interaction(blockActions(id, 'x')), FORM),
        'ignored',
      ),
    );
  const foreignRun = fc
    .uuid()
    .map((runId) =>
      one(
        'foreign_run_id',
        signed(
          '/slack/interactions',
          interaction(orderSubmission(JSON.stringify({ runId, channelId: 'C0001' }), 'tea')),
          FORM,
        ),
        'ignored',
      ),
    );
  const nonUuidMetadata = fc
    .oneof(
      fc.string({ maxLength: 40 }),
      fc.constant("1' OR '1'='1"),
      fc.constant('../../etc/passwd'),
      fc.integer().map(String),
    )
    .filter((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s))
    .chain((runId) =>
      fc
        .constantFrom(JSON.stringify({ runId, channelId: 'C0001' }), runId, '{', 'null', '[]')
        .map((metadata) =>
          one(
            'non_uuid_metadata',
            signed('/slack/interactions', interaction(orderSubmission(metadata, 'tea')), FORM),
          ),
        ),
    );
  const replayed = fc.constantFrom('help', 'ssl_check').map((what): HostileCase => {
    const request =
      what === 'help'
        ? validCommand('C0001', 'U0001', 'help')
        : signed('/slack/commands', 'ssl_check=1&token=x', FORM);
    return {
      kind: 'replayed',
      steps: [
        { request, expect: 'ignored' },
        { request, expect: 'refused' },
      ],
    };
  });

  const cases: fc.Arbitrary<HostileCase> = fc.oneof(
    forged,
    stale,
    future,
    tampered,
    truncated,
    badHeaders,
    wrongContentType,
    oversized,
    invalidUtf8,
    confusion,
    prototypePollution,
    hugeFields,
    hugeJsonKeys,
    deepJson,
    wrongTypes,
    unknownAction,
    foreignRun,
    nonUuidMetadata,
    replayed,
  );
  return { cases, validCommand, signed };
}

/**
 * Whether an answer meets the expectation: never a 5xx; `refused` needs a 4xx; `ignored` allows
 * a 200 or a 4xx.
 */
export function meetsExpectation(status: number, expect: HostileExpectation): boolean {
  if (status >= 500) return false;
  if (expect === 'refused') return status >= 400 && status < 500;
  return status === 200 || (status >= 400 && status < 500);
}

/** `count` cases, reproducible from `seed`; make them just before sending (timestamps are now's). */
export function sampleHostileCases(options: HostileOptions, count: number, seed: number): HostileCase[] {
  return fc.sample(hostileRequests(options).cases, { numRuns: count, seed });
}
