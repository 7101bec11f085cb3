import { randomUUID } from 'node:crypto';
import { createMessage, TOPICS } from '@coffeebuddy/contracts';
import { lazyChild } from '@coffeebuddy/service-kit';
import { decodeSlackText } from '@coffeebuddy/slack';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { readCoffeeCommand, USAGE } from '../domain/coffee-command';
import { startConfirmation, type ZoneSource } from '../domain/confirmation';
import { type PickupPhrase, type ResolvedPickup, resolvePickup } from '../domain/pickup-time';
import type { GatewayContext } from '../gateway-context';
import { publishWithinBudget } from '../publish';

const ephemeral = (text: string) => ({ response_type: 'ephemeral', text });

const REQUIRED = ['team_id', 'channel_id', 'user_id', 'command', 'trigger_id', 'response_url'] as const;

/**
 * Places the pickup on the person's clock. Only a clock time needs their timezone, so only then
 * is users.info asked, within the ack budget. When Slack has no zone for them (or is slow or
 * fails), the channel's timezone (`/coffee admin`) is used if it has one, else UTC; the
 * confirmation says which.
 */
async function placePickup(
  context: GatewayContext,
  request: FastifyRequest,
  phrase: PickupPhrase,
  ids: { teamId: string; channelId: string; userId: string },
  receivedAt: Date,
  log: Logger,
): Promise<{ pickup: ResolvedPickup; zoneSource: ZoneSource }> {
  if (phrase.kind === 'relative')
    return { pickup: resolvePickup(phrase, receivedAt, null), zoneSource: 'person' };
  const zone = await request.ackBudget.step(context.config.USERS_INFO_TIMEOUT_MS, () =>
    context.userZone(ids.teamId, ids.userId),
  );
  if (zone.ok && zone.value)
    return { pickup: resolvePickup(phrase, receivedAt, zone.value), zoneSource: 'person' };
  if (!zone.ok) {
    log.warn({ reason: zone.reason, err: zone.error?.message }, 'no timezone from users.info');
  }
  const channel = await request.ackBudget.step(context.config.LOOKUP_TIMEOUT_MS, () =>
    context.channelZone(ids.channelId),
  );
  if (channel.ok && channel.value) {
    return { pickup: resolvePickup(phrase, receivedAt, channel.value), zoneSource: 'channel' };
  }
  log.debug('no timezone for the person or the channel; reading the time in UTC');
  return { pickup: resolvePickup(phrase, receivedAt, null), zoneSource: 'person' };
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

/**
 * `/coffee admin`: published to admin-service, which decides who may administer the channel
 * (workspace admins and owners, the channel's admin list) and opens the settings modal with the
 * command's trigger_id, or answers the person why not. Answered at once with a short ephemeral
 * "opening…"; works in a channel that is turned off, so it can be turned on again. In a DM with
 * the app (no channel to administer) it says where to run it instead.
 */
async function adminCommand(
  context: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  form: URLSearchParams,
  ids: { teamId: string; channelId: string; userId: string },
  correlationId: string,
  log: Logger,
) {
  // Settings belong to a channel: a DM with the app (D…) has none.
  if (ids.channelId.startsWith('D')) {
    request.outcome = 'invalid_input';
    return reply.send(
      ephemeral(
        "CoffeeBuddy's settings are per channel — run `/coffee admin` in the channel you want to change.",
      ),
    );
  }
  const channelName = (form.get('channel_name') ?? '').slice(0, 255);
  const message = createMessage(
    'slash_command',
    { correlationId, ...ids },
    {
      command: form.get('command') ?? '',
      text: form.get('text') ?? '',
      intent: 'admin',
      triggerId: form.get('trigger_id') ?? '',
      responseUrl: form.get('response_url') ?? '',
      ...(channelName ? { channelName } : {}),
      receivedAt: context.now().toISOString(),
    },
  );
  if (!(await publishWithinBudget(context, request, TOPICS.adminCommands, message, log))) {
    request.outcome = 'publish_failed';
    return reply.send(
      ephemeral(
        "Sorry — I couldn't open the settings (our message queue isn't answering). Please try again.",
      ),
    );
  }
  log.info({ messageId: message.messageId }, '/coffee admin published');
  request.outcome = 'published';
  // Something at once, as for /coffee: the modal follows (or the reason it cannot open).
  return reply.send(ephemeral("⚙️ Opening CoffeeBuddy's settings for this channel…"));
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
    const log = lazyChild(context.logger, { correlationId, ...ids, command: field('command') });
    const text = form.get('text') ?? '';
    const receivedAt = context.now();
    const command = readCoffeeCommand(decodeSlackText(text));
    if (command.kind === 'help') {
      request.outcome = 'answered';
      return reply.send(ephemeral(USAGE));
    }
    if (command.kind === 'admin') return adminCommand(context, request, reply, form, ids, correlationId, log);
    const invalid = (reason: string) => {
      request.outcome = 'invalid_input';
      log.debug({ reason }, 'invalid /coffee input');
      return reply.send(ephemeral(`${reason}\n\n${USAGE}`));
    };
    if (command.kind === 'invalid') return invalid(command.reason);
    const placed = command.pickup
      ? await placePickup(context, request, command.pickup, ids, receivedAt, log)
      : null;
    const pickup = placed?.pickup ?? null;
    if (pickup && !pickup.ok) return invalid(pickup.reason);
    const resolved = pickup?.ok ? pickup : null;
    // As typed, for Slack's date fallback; the contract keeps it to 64 characters.
    const pickupText = command.pickup ? command.pickup.text.replace(/\s+/g, ' ').slice(0, 64) : null;
    if ((await channelEnabled(context, request, ids.channelId, log)) === false) {
      request.outcome = 'disabled';
      log.debug('coffee runs are disabled in this channel');
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
    const published = await publishWithinBudget(context, request, TOPICS.runCommands, message, log);
    // Not confirmed in time: the send may still land. Settle it now, so what the person is told
    // holds — "not started" never becomes a run later, and a command already handled is confirmed.
    const fate = published
      ? null
      : await request.ackBudget.step(context.config.LOOKUP_TIMEOUT_MS, () =>
          context.abandonCommand(message.messageId),
        );
    if (fate?.ok && fate.value === 'abandoned') {
      request.outcome = 'publish_failed';
      log.warn({ messageId: message.messageId }, '/coffee abandoned: Kafka did not take it in time');
      return reply.send(
        ephemeral(
          "Sorry — I couldn't start your coffee run (our message queue isn't answering), so no run was started. " +
            'Please try `/coffee` again in a moment.',
        ),
      );
    }
    if (fate && !fate.ok) {
      request.outcome = 'publish_failed';
      log.error({ reason: fate.reason, err: fate.error?.message }, 'could not record the abandoned /coffee');
      return reply.send(
        ephemeral(
          "Sorry — I couldn't confirm that your coffee run started (our message queue isn't answering). " +
            'If no run message appears here in a few seconds, try `/coffee` again; you will never get two runs.',
        ),
      );
    }
    // Per request, so debug: an operator follows a command by its correlation ID at debug, and
    // counts them with coffeebuddy_gateway_requests_total; failures above are warn/error.
    log.debug(
      { messageId: message.messageId, pickupAt: resolved?.at, zoneKnown: resolved?.zoneKnown },
      '/coffee published',
    );
    request.outcome = 'published';
    return reply.send(
      ephemeral(startConfirmation(resolved, command.pickup?.kind ?? null, placed?.zoneSource ?? 'person')),
    );
  });
};
