import { createMessage, TOPICS, validateChannelSettings } from '@coffeebuddy/contracts';
import {
  ADMIN_MODAL,
  adminFormFromValues,
  adminModalErrors,
  adminValuesFromState,
  parseAdminViewMetadata,
  RESET_MODAL,
  resetConfirmationProblem,
} from '@coffeebuddy/slack';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ViewSubmissionPayload } from '../domain/interaction-payloads';
import type { GatewayContext } from '../gateway-context';
import { publishWithinBudget } from '../publish';
import { logFor } from './interaction-log';

/**
 * The admin views' submissions (admin-service owns what they do). The gateway checks what must
 * be answered in the modal itself — every setting's bounds with the contracts' rules, the typed
 * channel name of a reset — and answers field errors at once (`response_action: errors`), so a
 * wrong value changes nothing; admin-service checks the same rules, and who may administer,
 * again before it writes.
 */

type Submission = (
  context: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: ViewSubmissionPayload,
) => Promise<unknown>;

const errorsAnswer = (errors: Record<string, string>) => ({ response_action: 'errors', errors });

async function publishSubmission(
  context: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: ViewSubmissionPayload,
  input: { channelId: string; callbackId: string; values: Record<string, string>; failedBlock: string },
  answer: Record<string, unknown> | undefined,
) {
  const { correlationId, teamId, log } = logFor(context, payload);
  // Before it is published: the answers that follow the change must not come from the old copy.
  context.channelChanged(input.channelId);
  const message = createMessage(
    'view_submission',
    { correlationId, teamId, channelId: input.channelId, userId: payload.user.id },
    {
      callbackId: input.callbackId,
      viewId: payload.view.id,
      privateMetadata: payload.view.private_metadata ?? '',
      values: input.values,
      receivedAt: context.now().toISOString(),
    },
  );
  if (!(await publishWithinBudget(context, request, TOPICS.adminCommands, message, log))) {
    request.outcome = 'publish_failed';
    return reply.send(
      errorsAnswer({
        [input.failedBlock]:
          "Sorry — that didn't go through (our message queue isn't answering). Please try again.",
      }),
    );
  }
  log.info({ callbackId: input.callbackId, channelId: input.channelId }, 'admin submission published');
  request.outcome = 'published';
  return answer ? reply.send(answer) : reply.code(200).send();
}

function refuseMetadata(reply: FastifyReply) {
  return reply.refuse(
    400,
    'INVALID_PRIVATE_METADATA',
    'invalid_payload',
    'admin view private_metadata is not ours',
  );
}

/** The settings modal: every field checked; errors keep the modal open, else it closes. */
const settings: Submission = async (context, request, reply, payload) => {
  const metadata = parseAdminViewMetadata(payload.view.private_metadata);
  if (!metadata) return refuseMetadata(reply);
  const values = adminValuesFromState(payload.view.state?.values ?? {});
  const checked = validateChannelSettings(adminFormFromValues(values));
  if (!checked.ok) {
    request.outcome = 'invalid_input';
    return reply.send(errorsAnswer(adminModalErrors(checked.errors)));
  }
  return publishSubmission(
    context,
    request,
    reply,
    payload,
    {
      channelId: metadata.channelId,
      callbackId: ADMIN_MODAL.callbackId,
      values,
      failedBlock: ADMIN_MODAL.inputs.timezone.blockId,
    },
    undefined,
  );
};

/** The reset confirmation: the channel's name must be typed; then both modals close. */
const reset: Submission = async (context, request, reply, payload) => {
  const metadata = parseAdminViewMetadata(payload.view.private_metadata);
  if (!metadata) return refuseMetadata(reply);
  const typed = payload.view.state?.values?.[RESET_MODAL.blockId]?.[RESET_MODAL.actionId]?.value ?? '';
  const problem = resetConfirmationProblem(typed, metadata);
  if (problem) {
    request.outcome = 'invalid_input';
    return reply.send(errorsAnswer({ [RESET_MODAL.blockId]: problem }));
  }
  return publishSubmission(
    context,
    request,
    reply,
    payload,
    {
      channelId: metadata.channelId,
      callbackId: RESET_MODAL.callbackId,
      values: { [`${RESET_MODAL.blockId}.${RESET_MODAL.actionId}`]: typed.trim().slice(0, 255) },
      failedBlock: RESET_MODAL.blockId,
    },
    // The settings modal below it shows settings from before the reset: close both.
    { response_action: 'clear' },
  );
};

/** Admin view submissions by callback_id. */
export const adminSubmissions: Record<string, Submission> = {
  [ADMIN_MODAL.callbackId]: settings,
  [RESET_MODAL.callbackId]: reset,
};
