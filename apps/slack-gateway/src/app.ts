import { randomUUID } from 'node:crypto';
import {
  type AnyMessage,
  ContractError,
  createMessage,
  deterministicMessageId,
  type MessageProducer,
  TOPICS,
  type TopicName,
} from '@coffeebuddy/contracts';
import type { Db } from '@coffeebuddy/db';
import { type ReadinessCheck, registerOpsRoutes } from '@coffeebuddy/service-kit';
import {
  ORDER_MODAL,
  parseOrderModalMetadata,
  ReplayGuard,
  RUN_ACTIONS,
  SlackVerificationError,
  verifySlackRequest,
} from '@coffeebuddy/slack';
import type { InstallProvider } from '@slack/oauth';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { GatewayConfig } from './config';
import { parseCoffeeCommand, USAGE } from './domain/coffee-command';
import { orderTextProblem } from './domain/order-text';

/** Looks up a user's IANA timezone (users.info), or null when unknown. */
export type UserZoneLookup = (teamId: string, userId: string) => Promise<string | null>;

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  metricsRegistry: Registry;
  producer: MessageProducer;
  db: Db;
  userZone: UserZoneLookup;
  /** Present when SLACK_CLIENT_ID/SECRET/STATE_SECRET are configured. */
  installer?: InstallProvider;
  readiness?: ReadinessCheck[];
  now?: () => Date;
}

export type GatewayApp = FastifyInstance & { markShuttingDown(): void };

/** The parts of Slack's interaction payload the gateway reads. */
interface InteractionPayload {
  type?: string;
  team?: { id?: string };
  user?: { id?: string; team_id?: string };
  channel?: { id?: string };
  container?: { channel_id?: string; message_ts?: string };
  actions?: { action_id: string; block_id?: string; value?: string }[];
  trigger_id?: string;
  response_url?: string;
  view?: {
    id?: string;
    callback_id?: string;
    private_metadata?: string;
    state?: { values?: Record<string, Record<string, { value?: string | null }>> };
  };
}

/** The parts of an Events API request the gateway reads. */
interface EventsBody {
  type?: string;
  challenge?: unknown;
  team_id?: string;
  event_id?: string;
  event?: { type?: string; channel?: string; user?: string; tab?: string };
}

type Outcome =
  | 'published'
  | 'answered'
  | 'invalid_input'
  | 'disabled'
  | 'publish_failed'
  | 'rejected'
  | 'ignored';

const ephemeral = (text: string) => ({ response_type: 'ephemeral', text });

/** Blocks a Slack request body could carry that we route to a service. */
const ACTION_TOPICS: Record<string, TopicName> = {
  [RUN_ACTIONS.placeOrder]: TOPICS.orderCommands,
  [RUN_ACTIONS.useLastOrder]: TOPICS.orderCommands,
  [RUN_ACTIONS.cancelOrder]: TOPICS.orderCommands,
  [RUN_ACTIONS.closeRun]: TOPICS.runCommands,
};

export function buildApp(deps: GatewayDeps): GatewayApp {
  const { config, producer, db } = deps;
  const now = deps.now ?? (() => new Date());
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
  });
  const replays = new ReplayGuard();
  const requests = new Counter({
    name: 'coffeebuddy_gateway_requests_total',
    help: 'Slack requests by route and outcome.',
    labelNames: ['route', 'outcome'],
    registers: [deps.metricsRegistry],
  });
  const rejected = new Counter({
    name: 'coffeebuddy_gateway_rejected_requests_total',
    help: 'Requests refused before reaching any service, by reason code.',
    labelNames: ['code'],
    registers: [deps.metricsRegistry],
  });
  const ackDuration = new Histogram({
    name: 'coffeebuddy_gateway_ack_duration_seconds',
    help: 'Time from receiving a Slack request to answering it.',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
    registers: [deps.metricsRegistry],
  });

  // Slack bodies stay raw strings: the signature covers exactly these bytes.
  for (const type of ['application/x-www-form-urlencoded', 'application/json']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  }

  // A signed request Slack would never send (missing fields, wrong shapes) is the sender's
  // problem: 400 with a log line, never a 5xx.
  app.setErrorHandler((error: Error, request, reply) => {
    if (error instanceof ContractError || (error as { statusCode?: number }).statusCode === 400) {
      request.log.warn(
        { reqId: request.id, code: (error as { code?: string }).code, err: error.message },
        'malformed Slack request',
      );
      return reply.code(400).send({ error: 'invalid_request' });
    }
    if ((error as { statusCode?: number }).statusCode === 413)
      return reply.code(413).send({ error: 'body_too_large' });
    request.log.error({ reqId: request.id, err: error.message }, 'request failed');
    return reply.code(500).send({ error: 'internal_error' });
  });

  const markShuttingDown = registerOpsRoutes(app, {
    registry: deps.metricsRegistry,
    checks: deps.readiness ?? [],
  });

  /** Verifies the signature before anything else; a refused request never reaches a service. */
  function verified(request: FastifyRequest, reply: FastifyReply, route: string): string | undefined {
    const rawBody = typeof request.body === 'string' ? request.body : '';
    const nowSeconds = Math.floor(now().getTime() / 1000);
    try {
      verifySlackRequest(config.SLACK_SIGNING_SECRET, { rawBody, headers: request.headers }, nowSeconds);
      replays.check(String(request.headers['x-slack-signature']), nowSeconds);
      return rawBody;
    } catch (error) {
      const code = error instanceof SlackVerificationError ? error.code : 'VERIFICATION_ERROR';
      rejected.inc({ code });
      requests.inc({ route, outcome: 'rejected' });
      request.log.warn(
        { code, route, reqId: request.id },
        'refused a Slack request that failed verification',
      );
      void reply.code(401).send({ error: 'request_verification_failed' });
      return undefined;
    }
  }

  /**
   * Whether coffee runs are enabled in a channel, answered within 300 ms; when the database is
   * slow or down the command goes ahead (runs-service checks again before writing anything).
   */
  async function channelEnabled(channelId: string, log: Logger): Promise<boolean | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const channel = await Promise.race([
        db.channel.findUnique({ where: { id: channelId }, select: { enabled: true } }),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), 300);
        }),
      ]);
      if (channel === 'timeout') {
        log.warn('channel lookup took over 300 ms; letting runs-service check it');
        return null;
      }
      return channel?.enabled ?? null;
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'channel lookup failed; letting runs-service check it');
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async function publish(topic: TopicName, message: AnyMessage, log: Logger): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        producer.send(topic, message),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Kafka did not take the command within ${config.PUBLISH_TIMEOUT_MS} ms`)),
            config.PUBLISH_TIMEOUT_MS,
          );
        }),
      ]);
      return true;
    } catch (error) {
      log.error(
        { err: (error as Error).message, topic, type: message.type },
        'could not publish the command',
      );
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  const done = (route: string, outcome: Outcome, started: bigint) => {
    requests.inc({ route, outcome });
    ackDuration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
  };

  app.post('/slack/commands', async (request, reply) => {
    const started = process.hrtime.bigint();
    const raw = verified(request, reply, 'commands');
    if (raw === undefined) return reply;
    const form = new URLSearchParams(raw);
    // Slack's certificate check: answer it and nothing else, whatever else the body carries.
    if (form.get('ssl_check') === '1') {
      done('commands', 'answered', started);
      return reply.code(200).send();
    }
    const correlationId = randomUUID();
    const teamId = form.get('team_id') ?? '';
    const channelId = form.get('channel_id') ?? '';
    const userId = form.get('user_id') ?? '';
    const text = form.get('text') ?? '';
    const log = deps.logger.child({ correlationId, teamId, channelId, userId, command: form.get('command') });
    if (!teamId || !channelId || !userId || !form.get('command')) {
      done('commands', 'invalid_input', started);
      log.warn('slash command without team, channel, user or command');
      return reply.code(400).send({ error: 'invalid_slash_command' });
    }
    const receivedAt = now();
    const parsed = parseCoffeeCommand(text, receivedAt, await deps.userZone(teamId, userId));
    if (parsed.kind === 'help') {
      done('commands', 'answered', started);
      return reply.send(ephemeral(USAGE));
    }
    if (parsed.kind === 'invalid') {
      done('commands', 'invalid_input', started);
      log.info({ reason: parsed.reason }, 'invalid /coffee input');
      return reply.send(ephemeral(`${parsed.reason}\n\n${USAGE}`));
    }
    if (parsed.kind === 'admin') {
      done('commands', 'answered', started);
      return reply.send(ephemeral('Channel settings (`/coffee admin`) are not available yet.'));
    }
    const enabled = await channelEnabled(channelId, log);
    if (enabled === false) {
      done('commands', 'disabled', started);
      log.info('coffee runs are disabled in this channel');
      return reply.send(
        ephemeral(
          'Coffee runs are turned off in this channel. A channel admin can turn them back on with `/coffee admin`.',
        ),
      );
    }
    const message = createMessage(
      'slash_command',
      { correlationId, teamId, channelId, userId },
      {
        command: form.get('command') ?? '/coffee',
        text,
        intent: 'start_run',
        run: { pickupAt: parsed.pickupAt, pickupText: parsed.pickupText, note: parsed.note },
        triggerId: form.get('trigger_id') ?? '',
        responseUrl: form.get('response_url') ?? '',
        receivedAt: receivedAt.toISOString(),
      },
    );
    if (!(await publish(TOPICS.runCommands, message, log))) {
      done('commands', 'publish_failed', started);
      return reply.send(
        ephemeral(
          "Sorry — I couldn't confirm that your coffee run started (our message queue isn't answering). " +
            'If no run message appears here in a few seconds, try `/coffee` again; you will never get two runs.',
        ),
      );
    }
    log.info({ messageId: message.messageId }, '/coffee published');
    done('commands', 'published', started);
    return reply.code(200).send();
  });

  app.post('/slack/interactions', async (request, reply) => {
    const started = process.hrtime.bigint();
    const raw = verified(request, reply, 'interactions');
    if (raw === undefined) return reply;
    let payload: InteractionPayload;
    try {
      payload = JSON.parse(new URLSearchParams(raw).get('payload') ?? '') as InteractionPayload;
      if (!payload || typeof payload !== 'object') throw new Error('payload is not an object');
    } catch {
      done('interactions', 'invalid_input', started);
      return reply.code(400).send({ error: 'invalid_payload' });
    }
    const correlationId = randomUUID();
    const teamId: string = payload.team?.id ?? payload.user?.team_id ?? '';
    const userId: string = payload.user?.id ?? '';
    const log = deps.logger.child({ correlationId, teamId, userId, interaction: payload.type });
    if (payload.type === 'block_actions') {
      const action = payload.actions?.[0];
      const topic =
        action && Object.hasOwn(ACTION_TOPICS, action.action_id)
          ? ACTION_TOPICS[action.action_id]
          : undefined;
      const channelId: string = payload.channel?.id ?? payload.container?.channel_id ?? '';
      if (!action || !topic || !channelId) {
        done('interactions', 'ignored', started);
        return reply.code(200).send();
      }
      const message = createMessage(
        'block_action',
        { correlationId, teamId, channelId, userId },
        {
          actionId: action.action_id,
          ...(action.block_id ? { blockId: action.block_id } : {}),
          ...(action.value ? { value: action.value } : {}),
          triggerId: payload.trigger_id ?? '',
          ...(payload.response_url ? { responseUrl: payload.response_url } : {}),
          ...(payload.container?.message_ts ? { messageTs: payload.container.message_ts } : {}),
          receivedAt: now().toISOString(),
        },
      );
      if (!(await publish(topic, message, log))) {
        done('interactions', 'publish_failed', started);
        return reply.send(
          ephemeral(
            "Sorry — that click didn't go through (our message queue isn't answering). Please try again.",
          ),
        );
      }
      done('interactions', 'published', started);
      return reply.code(200).send();
    }
    const view = payload.view;
    if (payload.type === 'view_submission' && view?.callback_id === ORDER_MODAL.callbackId) {
      const metadata = parseOrderModalMetadata(view.private_metadata ?? '');
      const text = (view.state?.values?.[ORDER_MODAL.blockId]?.[ORDER_MODAL.actionId]?.value ?? '').trim();
      // Field errors go back to Slack in the answer itself, so the modal shows them at once.
      const problem = metadata
        ? orderTextProblem(text)
        : 'This order form is out of date — close it and click Place order again.';
      if (problem) {
        done('interactions', 'invalid_input', started);
        return reply.send({ response_action: 'errors', errors: { [ORDER_MODAL.blockId]: problem } });
      }
      const message = createMessage(
        'view_submission',
        { correlationId, teamId, channelId: metadata?.channelId ?? '', userId },
        {
          callbackId: ORDER_MODAL.callbackId,
          viewId: view.id ?? '',
          privateMetadata: view.private_metadata ?? '',
          values: { [`${ORDER_MODAL.blockId}.${ORDER_MODAL.actionId}`]: text },
          receivedAt: now().toISOString(),
        },
      );
      if (!(await publish(TOPICS.orderCommands, message, log))) {
        done('interactions', 'publish_failed', started);
        return reply.send({
          response_action: 'errors',
          errors: {
            [ORDER_MODAL.blockId]:
              "Sorry — your order didn't go through (our message queue isn't answering). Please try again.",
          },
        });
      }
      done('interactions', 'published', started);
      return reply.code(200).send();
    }
    done('interactions', 'ignored', started);
    return reply.code(200).send();
  });

  app.post('/slack/events', async (request, reply) => {
    const started = process.hrtime.bigint();
    const raw = verified(request, reply, 'events');
    if (raw === undefined) return reply;
    let body: EventsBody;
    try {
      body = JSON.parse(raw) as EventsBody;
      if (!body || typeof body !== 'object') throw new Error('body is not an object');
    } catch {
      done('events', 'invalid_input', started);
      return reply.code(400).send({ error: 'invalid_json' });
    }
    if (body.type === 'url_verification') {
      done('events', 'answered', started);
      return reply.send({ challenge: String(body.challenge ?? '') });
    }
    const event = body.event ?? {};
    if (
      body.type !== 'event_callback' ||
      event.type !== 'app_home_opened' ||
      !event.channel ||
      !event.user ||
      !body.event_id ||
      !body.team_id
    ) {
      done('events', 'ignored', started);
      return reply.code(200).send();
    }
    const retry = request.headers['x-slack-retry-num'];
    const correlationId = randomUUID();
    const log = deps.logger.child({ correlationId, eventId: body.event_id, retry });
    // A retry carries the same event_id, so it becomes the same message ID and the consumer's
    // processed-message check drops it.
    const message = createMessage(
      'app_home_opened',
      {
        correlationId,
        teamId: body.team_id ?? '',
        channelId: event.channel,
        userId: event.user,
        messageId: deterministicMessageId(`slack-event:${body.event_id}`),
      },
      {
        eventId: String(body.event_id),
        tab: event.tab === 'messages' ? 'messages' : 'home',
        receivedAt: now().toISOString(),
      },
    );
    if (!(await publish(TOPICS.runCommands, message, log))) {
      // Slack retries events we do not acknowledge; that retry is our second chance.
      done('events', 'publish_failed', started);
      return reply.code(503).send({ error: 'try_again' });
    }
    done('events', 'published', started);
    return reply.code(200).send();
  });

  const installer = deps.installer;
  if (installer) {
    const redirectUri = `${config.PUBLIC_URL.replace(/\/$/, '')}/slack/oauth_redirect`;
    const scopes = config.SLACK_SCOPES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    app.get('/slack/install', async (request, reply) => {
      reply.hijack();
      await installer.handleInstallPath(request.raw, reply.raw, {}, { scopes, redirectUri });
    });
    app.get('/slack/oauth_redirect', async (request, reply) => {
      reply.hijack();
      await installer.handleCallback(request.raw, reply.raw, {
        success: (installation, _options, _req, res) => {
          deps.logger.info(
            { teamId: installation.team?.id, enterpriseId: installation.enterprise?.id },
            'app installed',
          );
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            '<html><body><h1>CoffeeBuddy is installed</h1><p>Type <code>/coffee</code> in a channel to start a run.</p></body></html>',
          );
        },
        failure: (error, _options, _req, res) => {
          deps.logger.warn(
            { code: (error as { code?: string }).code, err: error.message },
            'installation failed',
          );
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            '<html><body><h1>Installation failed</h1><p>Please start again from the install link.</p></body></html>',
          );
        },
      });
    });
  }

  return Object.assign(app, { markShuttingDown });
}
