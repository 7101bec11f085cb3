import type { Logger } from 'pino';
import type { SlackActions } from '../slack-actions';
import { classifyAttemptError } from './classify';

/**
 * Slack has no idempotency key for chat.postMessage, so every post an effect makes carries
 * message metadata (https://api.slack.com/metadata/using) naming the effect and the part:
 * `{ event_type: 'coffeebuddy_effect', event_payload: { effect_id, part } }`. When an earlier
 * attempt's outcome is unknown (its answer was lost, its process died), the channel's recent
 * history is searched for those posts before anything is posted again.
 */
export const EFFECT_METADATA_TYPE = 'coffeebuddy_effect';

/** How far back a recovery looks: Slack's conversations.history returns at most 999 per page. */
const HISTORY_LIMIT = 200;

/**
 * The parts of an effect already in the channel, by part number → ts. Reads messages posted
 * since `sinceSeconds` (a Slack ts). When the history cannot be read for good (the app lacks
 * the `*:history` scope, is not in the channel), says so and returns nothing found: the effect is
 * then sent again, at least once rather than never. Transient errors are thrown (retried later).
 */
export async function findPostedParts(
  slack: SlackActions,
  teamId: string,
  channel: string,
  effectId: string,
  sinceSeconds: number,
  logger: Logger,
): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  try {
    const messages = await slack.history(teamId, channel, {
      oldest: `${Math.max(0, sinceSeconds)}.000000`,
      limit: HISTORY_LIMIT,
    });
    for (const message of messages) {
      const payload = message.metadata?.event_payload;
      if (message.metadata?.event_type !== EFFECT_METADATA_TYPE || payload?.effect_id !== effectId) continue;
      const part = Number(payload.part ?? 0);
      if (Number.isInteger(part) && !found.has(part)) found.set(part, message.ts);
    }
  } catch (error) {
    const failure = classifyAttemptError(error);
    if (failure.transient) throw error;
    logger.warn(
      { code: failure.code, channel },
      'cannot read the channel history to check an earlier attempt; sending again',
    );
  }
  return found;
}
