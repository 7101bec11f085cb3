import { randomUUID } from 'node:crypto';
import { createMessage, deterministicMessageId, TOPICS } from '@coffeebuddy/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { checkEventCallback } from '../domain/interaction-payloads';
import type { GatewayContext } from '../gateway-context';
import { publishWithinBudget } from '../publish';

/** `POST /slack/events`: `url_verification`, and `app_home_opened` for the App Home. */
export const eventRoutes: FastifyPluginAsync<GatewayContext> = async (app, context) => {
  app.post('/slack/events', { config: { slackRoute: 'events' } }, async (request, reply) => {
    let body: unknown;
    try {
      body = JSON.parse(String(request.body ?? ''));
    } catch {
      return reply.refuse(400, 'INVALID_JSON', 'invalid_json', 'body is not JSON');
    }
    if (typeof body !== 'object' || body === null) {
      return reply.refuse(400, 'INVALID_JSON', 'invalid_json', 'body is not an object');
    }
    const { type, challenge } = body as { type?: unknown; challenge?: unknown };
    if (type === 'url_verification') {
      request.outcome = 'answered';
      return reply.send({ challenge: String(challenge ?? '') });
    }
    // Events we do not subscribe to, or without what we need, are acknowledged and dropped.
    if (
      !checkEventCallback.Check(body) ||
      body.event.type !== 'app_home_opened' ||
      !body.event.channel ||
      !body.event.user
    ) {
      request.outcome = 'ignored';
      return reply.code(200).send();
    }
    const { event } = body;
    const retry = request.headers['x-slack-retry-num'];
    const correlationId = randomUUID();
    const log = context.logger.child({ correlationId, eventId: body.event_id, retry });
    // A retry carries the same event_id, so it becomes the same message ID and the consumer's
    // processed-message check drops it.
    const message = createMessage(
      'app_home_opened',
      {
        correlationId,
        teamId: body.team_id,
        channelId: event.channel ?? '',
        userId: event.user ?? '',
        messageId: deterministicMessageId(`slack-event:${body.event_id}`),
      },
      {
        eventId: body.event_id,
        tab: event.tab === 'messages' ? 'messages' : 'home',
        receivedAt: context.now().toISOString(),
      },
    );
    if (!(await publishWithinBudget(context, request, TOPICS.runCommands, message, log))) {
      // Slack retries events we do not acknowledge; that retry is our second chance.
      request.outcome = 'publish_failed';
      return reply.code(503).send({ error: 'try_again' });
    }
    request.outcome = 'published';
    return reply.code(200).send();
  });
};
