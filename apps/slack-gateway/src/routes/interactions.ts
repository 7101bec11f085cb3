import { createMessage, TOPICS, type TopicName } from '@coffeebuddy/contracts';
import {
  ADMIN_MODAL,
  HOME_ACTIONS,
  ORDER_MODAL,
  parseAdminViewMetadata,
  parseAppHomeMetadata,
  parseOrderModalMetadata,
  RUN_ACTIONS,
} from '@coffeebuddy/slack';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  type BlockActionsPayload,
  checkBlockActions,
  checkViewSubmission,
  firstProblem,
  type ViewSubmissionPayload,
} from '../domain/interaction-payloads';
import { orderTextProblem } from '../domain/order-text';
import type { GatewayContext } from '../gateway-context';
import { publishWithinBudget } from '../publish';
import { adminSubmissions } from './admin-submissions';
import { logFor } from './interaction-log';

/** The buttons we route, and the service that owns each. */
const ACTION_TOPICS: Record<string, TopicName> = {
  [RUN_ACTIONS.placeOrder]: TOPICS.orderCommands,
  [RUN_ACTIONS.useLastOrder]: TOPICS.orderCommands,
  [RUN_ACTIONS.cancelOrder]: TOPICS.orderCommands,
  [RUN_ACTIONS.closeRun]: TOPICS.runCommands,
  [ADMIN_MODAL.resetActionId]: TOPICS.adminCommands,
  [HOME_ACTIONS.awayUntil]: TOPICS.adminCommands,
  [HOME_ACTIONS.awayClear]: TOPICS.adminCommands,
  [HOME_ACTIONS.optInRepeat]: TOPICS.adminCommands,
};

/**
 * The channel a click belongs to: the message's channel, or for a click inside a view the
 * channel its metadata names (an admin modal's channel; a Home tab's DM with the app, since
 * block_actions from a Home tab carry no channel). '' when there is none.
 */
function channelOf(payload: BlockActionsPayload): string {
  const direct = payload.channel?.id ?? payload.container?.channel_id;
  if (direct) return direct;
  const metadata = payload.view?.private_metadata;
  return parseAdminViewMetadata(metadata)?.channelId ?? parseAppHomeMetadata(metadata)?.dmChannelId ?? '';
}

const RUN_GONE: Record<string, string> = {
  closed: 'This run closed before you submitted — your order was not placed.',
  cancelled: 'This run was cancelled before you submitted — your order was not placed.',
  missing: 'This coffee run no longer exists — your order was not placed.',
};

async function blockAction(
  context: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: BlockActionsPayload,
) {
  const action = payload.actions[0];
  const topic =
    action && Object.hasOwn(ACTION_TOPICS, action.action_id) ? ACTION_TOPICS[action.action_id] : undefined;
  const channelId = channelOf(payload);
  if (!action || !topic || !channelId) {
    request.outcome = 'ignored';
    return reply.code(200).send();
  }
  const { correlationId, teamId, log } = logFor(context, payload);
  const message = createMessage(
    'block_action',
    { correlationId, teamId, channelId, userId: payload.user.id },
    {
      actionId: action.action_id,
      ...(action.block_id ? { blockId: action.block_id } : {}),
      ...(action.value ? { value: action.value } : {}),
      triggerId: payload.trigger_id,
      ...(payload.response_url ? { responseUrl: payload.response_url } : {}),
      ...(payload.container?.message_ts ? { messageTs: payload.container.message_ts } : {}),
      ...(action.selected_options ? { selectedOptions: action.selected_options.map((o) => o.value) } : {}),
      ...(action.selected_date ? { selectedDate: action.selected_date } : {}),
      ...(payload.view ? { viewId: payload.view.id } : {}),
      receivedAt: context.now().toISOString(),
    },
  );
  if (!(await publishWithinBudget(context, request, topic, message, log))) {
    request.outcome = 'publish_failed';
    return reply.send({
      response_type: 'ephemeral',
      text: "Sorry — that click didn't go through (our message queue isn't answering). Please try again.",
    });
  }
  request.outcome = 'published';
  return reply.code(200).send();
}

/**
 * Whether the run is still open, within the ack budget (like the channel check for /coffee).
 * No answer in time means "go ahead": orders-service checks again under the run's lock, and it
 * is the authority.
 */
async function runStatus(context: GatewayContext, request: FastifyRequest, runId: string, log: Logger) {
  const result = await request.ackBudget.step(context.config.LOOKUP_TIMEOUT_MS, () =>
    context.runStatus(runId),
  );
  if (!result.ok)
    log.warn(
      { reason: result.reason, err: result.error?.message },
      'run lookup gave no answer; letting orders-service check it',
    );
  return result.ok ? result.value : null;
}

async function orderSubmission(
  context: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: ViewSubmissionPayload,
) {
  const { view } = payload;
  const metadata = parseOrderModalMetadata(view.private_metadata ?? '');
  if (!metadata) {
    // Only our own modal writes this; anything else was not sent by Slack for our modal.
    return reply.refuse(
      400,
      'INVALID_PRIVATE_METADATA',
      'invalid_payload',
      'order modal private_metadata is not ours',
    );
  }
  // Slack sends modal input as typed (nothing escaped): it is kept that way.
  const text = (view.state?.values?.[ORDER_MODAL.blockId]?.[ORDER_MODAL.actionId]?.value ?? '').trim();
  const errors = (problem: string) => ({
    response_action: 'errors',
    errors: { [ORDER_MODAL.blockId]: problem },
  });
  // Field errors go back to Slack in the answer itself, so the modal shows them at once.
  const problem = orderTextProblem(text);
  if (problem) {
    request.outcome = 'invalid_input';
    return reply.send(errors(problem));
  }
  const { correlationId, teamId, log } = logFor(context, payload);
  const status = await runStatus(context, request, metadata.runId, log);
  if (status !== null && status !== 'open') {
    request.outcome = 'run_closed';
    log.debug({ runId: metadata.runId, status }, 'order submitted for a run that is no longer open');
    return reply.send(errors(RUN_GONE[status] ?? RUN_GONE.missing ?? ''));
  }
  const message = createMessage(
    'view_submission',
    { correlationId, teamId, channelId: metadata.channelId, userId: payload.user.id },
    {
      callbackId: ORDER_MODAL.callbackId,
      viewId: view.id,
      privateMetadata: view.private_metadata ?? '',
      values: { [`${ORDER_MODAL.blockId}.${ORDER_MODAL.actionId}`]: text },
      receivedAt: context.now().toISOString(),
    },
  );
  if (!(await publishWithinBudget(context, request, TOPICS.orderCommands, message, log))) {
    request.outcome = 'publish_failed';
    return reply.send(
      errors("Sorry — your order didn't go through (our message queue isn't answering). Please try again."),
    );
  }
  request.outcome = 'published';
  return reply.code(200).send();
}

/** `POST /slack/interactions`: button clicks and the order modal's submission. */
export const interactionRoutes: FastifyPluginAsync<GatewayContext> = async (app, context) => {
  app.post('/slack/interactions', { config: { slackRoute: 'interactions' } }, async (request, reply) => {
    let payload: unknown;
    try {
      payload = JSON.parse(new URLSearchParams(String(request.body ?? '')).get('payload') ?? '');
    } catch {
      return reply.refuse(400, 'INVALID_PAYLOAD', 'invalid_payload', 'payload is not JSON');
    }
    const type = (payload as { type?: unknown } | null)?.type;
    if (type === 'block_actions') {
      if (!checkBlockActions.Check(payload)) {
        return reply.refuse(
          400,
          'INVALID_PAYLOAD',
          'invalid_payload',
          firstProblem(checkBlockActions, payload),
        );
      }
      return blockAction(context, request, reply, payload);
    }
    if (type === 'view_submission') {
      if (!checkViewSubmission.Check(payload)) {
        return reply.refuse(
          400,
          'INVALID_PAYLOAD',
          'invalid_payload',
          firstProblem(checkViewSubmission, payload),
        );
      }
      if (payload.view.callback_id === ORDER_MODAL.callbackId)
        return orderSubmission(context, request, reply, payload);
      // An own key only: a callback_id such as `constructor` or `hasOwnProperty` names no modal
      // of ours (it used to reach Object.prototype's functions: a 500, or the config echoed).
      if (Object.hasOwn(adminSubmissions, payload.view.callback_id)) {
        const admin = adminSubmissions[payload.view.callback_id];
        if (admin) return admin(context, request, reply, payload);
      }
    }
    if (typeof payload !== 'object' || payload === null) {
      return reply.refuse(400, 'INVALID_PAYLOAD', 'invalid_payload', 'payload is not an object');
    }
    request.outcome = 'ignored';
    return reply.code(200).send();
  });
};
