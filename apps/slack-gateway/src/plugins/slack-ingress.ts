import { ContractError } from '@coffeebuddy/contracts';
import { ReplayGuard, SlackVerificationError, verifySlackRequest } from '@coffeebuddy/slack';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AckBudget } from '../ack-budget';
import type { Outcome, SlackRoute } from '../gateway-context';
import type { GatewayMetrics } from '../gateway-metrics';
import type { RefusalLog } from '../refusal-log';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's time to answer Slack, shared by every step it takes (see AckBudget). */
    ackBudget: AckBudget;
    /** How the request ended, for metrics; set by the route. */
    outcome: Outcome | undefined;
  }
  interface FastifyReply {
    /**
     * Refuses the request: `status` with `{ error }`, counted by `code` and logged (rate-limited);
     * nothing reaches a service.
     */
    refuse(status: number, code: string, error: string, detail?: string): FastifyReply;
  }
  interface FastifyInstance {
    /** preHandler hook: Slack's signature on the raw body, the timestamp window, replays. */
    verifySlackRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  }
  interface FastifyContextConfig {
    /** Marks a Slack route, for metric labels. */
    slackRoute?: SlackRoute;
  }
}

export interface SlackIngressOptions {
  signingSecret: string;
  ackBudgetMs: number;
  metrics: GatewayMetrics;
  refusals: RefusalLog;
  now: () => Date;
}

/** Fastify error codes for what a sender got wrong, as the gateway names them. */
const CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  INVALID_UTF8: 'INVALID_UTF8',
};

/** Strict UTF-8 (Slack sends nothing else); the BOM kept, so the text is exactly the bytes. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * How Slack requests come in, shared by every Slack route: bodies kept as raw strings (the
 * signature covers exactly those bytes), the signature check as a decorator the Slack routes use
 * as their preHandler hook, each request's ack budget, `reply.refuse` for everything refused, and
 * the request metrics. Whatever a sender gets wrong is a 4xx, never a 5xx.
 */
const slackIngressPlugin: FastifyPluginAsync<SlackIngressOptions> = async (app, options) => {
  const { metrics, refusals } = options;
  const replays = new ReplayGuard();

  // Slack sends forms and JSON, nothing else: every other Content-Type is 415. Bodies that are
  // not UTF-8 are 400: decoded leniently, different bytes could read as the same signed text.
  app.removeAllContentTypeParsers();
  for (const type of ['application/x-www-form-urlencoded', 'application/json']) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => {
      try {
        done(null, utf8.decode(body as Buffer));
      } catch {
        done(Object.assign(new Error('body is not valid UTF-8'), { statusCode: 400, code: 'INVALID_UTF8' }));
      }
    });
  }

  app.decorateRequest('ackBudget', null as unknown as AckBudget);
  app.decorateRequest('outcome', undefined);
  app.addHook('onRequest', async (request, reply) => {
    request.ackBudget = new AckBudget(options.ackBudgetMs);
    // Every answer names the ID its log lines carry, so a refused sender can be traced.
    reply.header('x-correlation-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.config.slackRoute;
    if (!route) return;
    metrics.requests.inc({
      route,
      outcome: request.outcome ?? (reply.statusCode >= 400 ? 'rejected' : 'answered'),
    });
    metrics.ackDuration.observe({ route }, reply.elapsedTime / 1000);
  });

  app.decorateReply('refuse', function (this: FastifyReply, status, code, error, detail) {
    this.request.outcome = 'rejected';
    metrics.rejected.inc({ code });
    refusals.warn(
      code,
      {
        status,
        route: this.request.routeOptions.config.slackRoute,
        correlationId: this.request.id,
        ...(detail ? { detail } : {}),
      },
      'refused a Slack request',
    );
    return this.code(status).send({ error });
  });

  app.decorate('verifySlackRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const rawBody = typeof request.body === 'string' ? request.body : '';
    const nowSeconds = Math.floor(options.now().getTime() / 1000);
    try {
      verifySlackRequest(options.signingSecret, { rawBody, headers: request.headers }, nowSeconds);
      replays.check(String(request.headers['x-slack-signature']), nowSeconds);
      return undefined;
    } catch (error) {
      const code = error instanceof SlackVerificationError ? error.code : 'VERIFICATION_ERROR';
      // Returning the reply ends the request here: the route's handler never runs.
      return reply.refuse(401, code, 'request_verification_failed');
    }
  });

  // A request Slack would never send (an unsupported or missing Content-Type, a body too large, a
  // signed body of the wrong shape) is the sender's problem: a 4xx and a rate-limited warn line.
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? (error instanceof ContractError ? 400 : 500);
    if (status >= 400 && status < 500) {
      const code =
        CLIENT_ERRORS[error.code ?? ''] ??
        (error instanceof ContractError ? error.code : 'MALFORMED_REQUEST');
      return reply.refuse(status, code, code.toLowerCase(), error.message);
    }
    request.log.error({ correlationId: request.id, err: error.message }, 'request failed');
    return reply.code(500).send({ error: 'internal_error' });
  });
};

export const slackIngress = fp(slackIngressPlugin, { name: 'slack-ingress', fastify: '5.x' });
