import { type DeliveryContext, isTransientError } from '@coffeebuddy/contracts';
import type { Db } from '@coffeebuddy/db';
import type { EffectDeliverer, SlackActions } from '@coffeebuddy/slack';
import { type Authority, authorityOf } from '../domain/authority';

export interface AdminDeps {
  db: Db;
  slack: SlackActions;
  effects: Pick<EffectDeliverer, 'deliver'>;
  wakeOutbox: () => void;
  now?: () => Date;
}

/**
 * May `userId` administer the channel now: on its admin list, or a workspace admin/owner by
 * users.info. A transient Slack failure is thrown (the command is retried while it can be); a
 * permanent one (`user_not_found`) is a refusal with the reason logged.
 */
export async function checkAuthority(
  deps: AdminDeps,
  input: { teamId: string; userId: string; channelAdmins: readonly string[] },
  context: DeliveryContext,
): Promise<Authority> {
  if (input.channelAdmins.includes(input.userId)) return authorityOf(input.userId, input.channelAdmins, null);
  try {
    const role = await deps.slack.userInfo(input.teamId, input.userId);
    return authorityOf(input.userId, input.channelAdmins, role);
  } catch (error) {
    if (isTransientError(error)) throw error;
    context.logger.warn(
      { err: (error as Error).message },
      'users.info refused; treating the person as not an admin',
    );
    return { allowed: false };
  }
}

/** Answers through a response_url now (no state changed, so nothing to record); never throws. */
export async function answer(
  deps: AdminDeps,
  responseUrl: string | undefined,
  text: string,
  context: DeliveryContext,
): Promise<void> {
  if (!responseUrl) return;
  try {
    await deps.slack.respond(responseUrl, text);
  } catch (error) {
    context.logger.warn({ err: (error as Error).message }, 'could not answer through response_url');
  }
}

/** Slack's error code of a failed Web API call (`expired_trigger_id`, …), if it has one. */
export function slackErrorCode(error: unknown): string | undefined {
  return (error as { data?: { error?: string } } | null)?.data?.error;
}

/** A trigger_id that can no longer open a view: it lives 3 s and is used once. */
export const isDeadTrigger = (code: string | undefined) =>
  code === 'expired_trigger_id' || code === 'exchanged_trigger_id' || code === 'invalid_trigger_id';
