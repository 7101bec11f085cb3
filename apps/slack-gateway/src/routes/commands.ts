import { randomUUID } from 'node:crypto';
import { createMessage, TOPICS } from '@coffeebuddy/contracts';
import { decodeSlackText } from '@coffeebuddy/slack';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { readCoffeeCommand, USAGE } from '../domain/coffee-command';
import { startConfirmation } from '../domain/confirmation';
import { type PickupPhrase, type ResolvedPickup, resolvePickup } from '../domain/pickup-time';
import type { GatewayContext } from '../gateway-context';
import { publishWithinBudget } from '../publish';

const ephemeral = (text: string) => ({ response_type: 'ephemeral', text });

const REQUIRED = ['team_id', 'channel_id', 'user_id', 'command', 'trigger_id', 'response_url'] as const;

/**
 * Places the pickup on the person's clock. Only a clock time needs their timezone, so only then
 * is users.info asked, within the ack budget; when it is slow or fails the time is read in UTC
 * and the confirmation says so.
 */
async function placePickup(
  context: GatewayContext,
  request: FastifyRequest,
  phrase: PickupPhrase,
  ids: { teamId: string; userId: string },
  receivedAt: Date,
  log: Logger,
): Promise<ResolvedPickup> {
  if (phrase.kind === 'relative') return resolvePickup(phrase, receivedAt, null);
  const zone = await request.ackBudget.step(context.config.USERS_INFO_TIMEOUT_MS, () =>
    context.userZone(ids.teamId, ids.userId),
  );
  if (!zone.ok) {
    log.warn(
      { reason: zone.reason, err: zone.error?.message },
      'no timezone from users.info; reading the time in UTC',
    );
  }
  return resolvePickup(phrase, receivedAt, zone.ok ? zone.value : null);
}

/**
 * Whether coffee runs are enabled in the channel, within the ack budget; when the lookup is slow
 * or fails the command goes ahead (runs-service checks again before writing anything).
 */
async function channelEnabled(
  context: GatewayContext,
  request: FastifyRequest,
  channelId: string,
  log: Logger,
) {
  const result = await request.ackBudget.step(context.config.LOOKUP_TIMEOUT_MS, () =>
    context.channelEnabled(channelId),
  );
  if (!result.ok)
    log.warn(
      { reason: result.reason, err: result.error?.message },
      'channel lookup gave no answer; letting runs-service check it',
    );
  return result.ok ? result.value : null;
}

/** `POST /slack/commands`: `/coffee [pickup] [note]`, `help`, `admin`. */
export const commandRoutes: FastifyPluginAsync<GatewayContext> = async (app, context) => {
  app.post('/slack/commands', { config: { slackRoute: 'commands' } }, async (request, reply) => {
    const form = new URLSearchParams(String(request.body ?? ''));
    // Slack's certificate check: answer it and nothing else, whatever else the body carries.
    if (form.get('ssl_check') === '1') {
      request.outcome = 'answered';
      return reply.code(200).send();
    }
    const missing = REQUIRED.filter((name) => !form.get(name));
    if (missing.length > 0) {
      return reply.refuse(
        400,
        'INVALID_SLASH_COMMAND',
        'invalid_slash_command',
        `missing ${missing.join(', ')}`,
      );
    }
    const field = (name: (typeof REQUIRED)[number]) => form.get(name) ?? '';
    const correlationId = randomUUID();
    const ids = { teamId: field('team_id'), channelId: field('channel_id'), userId: field('user_id') };
    const log = context.logger.child({ correlationId, ...ids, command: field('command') });
    const text = form.get('text') ?? '';
    const receivedAt = context.now();
    const command = readCoffeeCommand(decodeSlackText(text));
    if (command.kind === 'help') {
      request.outcome = 'answered';
      return reply.send(ephemeral(USAGE));
    }
    if (command.kind === 'admin') {
      request.outcome = 'answered';
      return reply.send(ephemeral('Channel settings (`/coffee admin`) are not available yet.'));
    }
    const invalid = (reason: string) => {
      request.outcome = 'invalid_input';
      log.info({ reason }, 'invalid /coffee input');
      return reply.send(ephemeral(`${reason}\n\n${USAGE}`));
    };
    if (command.kind === 'invalid') return invalid(command.reason);
    const pickup = command.pickup
      ? await placePickup(context, request, command.pickup, ids, receivedAt, log)
      : null;
    if (pickup && !pickup.ok) return invalid(pickup.reason);
    const resolved = pickup?.ok ? pickup : null;
    // As typed, for Slack's date fallback; the contract keeps it to 64 characters.
    const pickupText = command.pickup ? command.pickup.text.replace(/\s+/g, ' ').slice(0, 64) : null;
    if ((await channelEnabled(context, request, ids.channelId, log)) === false) {
      request.outcome = 'disabled';
      log.info('coffee runs are disabled in this channel');
      return reply.send(
        ephemeral(
          'Coffee runs are turned off in this channel. A channel admin can turn them back on with `/coffee admin`.',
        ),
      );
    }
    const message = createMessage(
      'slash_command',
      { correlationId, ...ids },
      {
        command: field('command'),
        text,
        intent: 'start_run',
        run: {
          pickupAt: resolved ? resolved.at.toISOString() : null,
          pickupText,
          note: command.note,
        },
        triggerId: field('trigger_id'),
        responseUrl: field('response_url'),
        receivedAt: receivedAt.toISOString(),
      },
    );
    if (!(await publishWithinBudget(context, request, TOPICS.runCommands, message, log))) {
      request.outcome = 'publish_failed';
      return reply.send(
        ephemeral(
          "Sorry — I couldn't confirm that your coffee run started (our message queue isn't answering). " +
            'If no run message appears here in a few seconds, try `/coffee` again; you will never get two runs.',
        ),
      );
    }
    log.info(
      { messageId: message.messageId, pickupAt: resolved?.at, zoneKnown: resolved?.zoneKnown },
      '/coffee published',
    );
    request.outcome = 'published';
    return reply.send(ephemeral(startConfirmation(resolved, command.pickup?.kind ?? null)));
  });
};
