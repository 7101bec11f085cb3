import type { DeliveryContext, HandlerOutcome, MessageOf } from '@coffeebuddy/contracts';
import { type Db, processMessageOnce } from '@coffeebuddy/db';
import { type EffectDeliverer, requestAppHome } from '@coffeebuddy/slack';

/**
 * The App Home, asked for by an `app_home_opened` event: recorded as an effect together with the
 * processed-message record, then delivered. A failed publish is retried by the effects deliverer
 * (the event is done once the publish is recorded, not once it happened), and a redelivered or
 * retried event finds the record and asks for nothing more.
 */
export async function showAppHome(
  deps: { db: Db; effects: Pick<EffectDeliverer, 'deliver'> },
  message: MessageOf<'app_home_opened'>,
  context: DeliveryContext,
): Promise<HandlerOutcome> {
  const userId = message.userId ?? '';
  const processed = await processMessageOnce(deps.db, { ...context, messageId: message.messageId }, (tx) =>
    message.payload.tab === 'home'
      ? requestAppHome(tx, message.teamId, userId, message.correlationId, { dmChannelId: message.channelId })
      : Promise.resolve(null),
  );
  if (!processed.duplicate && processed.result) {
    await deps.effects.deliver([processed.result]);
    context.logger.info('app home requested');
  }
  return processed;
}
