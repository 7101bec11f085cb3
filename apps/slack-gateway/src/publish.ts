import type { AnyMessage, TopicName } from '@coffeebuddy/contracts';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayContext } from './gateway-context';

/**
 * Publishes a command within what is left of the request's ack budget (at most
 * PUBLISH_TIMEOUT_MS). False when Kafka did not take it in time; the caller tells the person.
 */
export async function publishWithinBudget(
  context: GatewayContext,
  request: FastifyRequest,
  topic: TopicName,
  message: AnyMessage,
  log: Logger,
): Promise<boolean> {
  const result = await request.ackBudget.step(context.config.PUBLISH_TIMEOUT_MS, () =>
    context.producer.send(topic, message),
  );
  if (result.ok) return true;
  log.error(
    {
      err:
        result.reason === 'timeout'
          ? 'Kafka did not take the command within the ack budget'
          : result.error?.message,
      topic,
      type: message.type,
    },
    'could not publish the command',
  );
  return false;
}
