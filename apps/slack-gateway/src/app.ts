import { randomUUID } from 'node:crypto';
import type { MessageProducer } from '@coffeebuddy/contracts';
import type { Db } from '@coffeebuddy/db';
import { type ReadinessCheck, registerOpsRoutes } from '@coffeebuddy/service-kit';
import type { InstallProvider } from '@slack/oauth';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './gateway-context';
import { createGatewayMetrics } from './gateway-metrics';
import {
  type AbandonCommand,
  abandonCommandInDb,
  type ChannelEnabledLookup,
  type ChannelZoneLookup,
  channelEnabledFromDb,
  channelZoneFromDb,
  type RunStatusLookup,
  runStatusFromDb,
  type UserZoneLookup,
} from './lookups';
import { slackIngress } from './plugins/slack-ingress';
import { RefusalLog } from './refusal-log';
import { commandRoutes } from './routes/commands';
import { eventRoutes } from './routes/events';
import { interactionRoutes } from './routes/interactions';
import { oauthRoutes } from './routes/oauth';

export type { UserZoneLookup } from './lookups';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  metricsRegistry: Registry;
  producer: MessageProducer;
  db: Db;
  userZone: UserZoneLookup;
  /** Defaults to a database query each; pass a cached one to change that. */
  channelEnabled?: ChannelEnabledLookup;
  channelZone?: ChannelZoneLookup;
  runStatus?: RunStatusLookup;
  abandonCommand?: AbandonCommand;
  /** Told when a `/coffee admin` change is passed on; pass the snapshot's with its lookups. */
  channelChanged?: (channelId: string) => void;
  /** Present when SLACK_CLIENT_ID/SECRET/STATE_SECRET are configured. */
  installer?: InstallProvider;
  readiness?: ReadinessCheck[];
  now?: () => Date;
}

export type GatewayApp = FastifyInstance & { markShuttingDown(): void };

/**
 * The gateway, as fastify plugins in tiers:
 * - `plugins/slack-ingress`: raw bodies, signature verification (`verifySlackRequest`, the Slack
 *   routes' preHandler hook), the ack budget per request (`request.ackBudget`), refusals as 4xx
 *   (`reply.refuse`) and request metrics;
 * - routes, one plugin per family: `routes/commands` (/coffee), `routes/interactions` (buttons,
 *   the order modal), `routes/events` (Events API), `routes/oauth` (install);
 * - ops: /healthz, /readyz, /metrics.
 */
export function buildApp(deps: GatewayDeps): GatewayApp {
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
  });
  const context: GatewayContext = {
    config,
    logger: deps.logger,
    producer: deps.producer,
    userZone: deps.userZone,
    channelEnabled: deps.channelEnabled ?? channelEnabledFromDb(deps.db),
    channelZone: deps.channelZone ?? channelZoneFromDb(deps.db),
    runStatus: deps.runStatus ?? runStatusFromDb(deps.db),
    abandonCommand: deps.abandonCommand ?? abandonCommandInDb(deps.db),
    channelChanged: deps.channelChanged ?? (() => undefined),
    now,
    ...(deps.installer ? { installer: deps.installer } : {}),
  };

  void app.register(slackIngress, {
    signingSecret: config.SLACK_SIGNING_SECRET,
    ackBudgetMs: config.ACK_BUDGET_MS,
    metrics: createGatewayMetrics(deps.metricsRegistry),
    refusals: new RefusalLog(deps.logger, config.REFUSAL_LOG_PER_MINUTE),
    now,
  });
  // Every Slack route is verified before its handler runs; a refused request reaches no service.
  void app.register(async (slack) => {
    slack.addHook('preHandler', slack.verifySlackRequest);
    await slack.register(commandRoutes, context);
    await slack.register(interactionRoutes, context);
    await slack.register(eventRoutes, context);
  });
  const installer = deps.installer;
  if (installer) void app.register(oauthRoutes, { ...context, installer });

  const markShuttingDown = registerOpsRoutes(app, {
    registry: deps.metricsRegistry,
    checks: deps.readiness ?? [],
  });
  return Object.assign(app, { markShuttingDown });
}
