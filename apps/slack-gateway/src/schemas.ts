import { MESSAGE_CATALOG, MESSAGE_SCHEMAS, type MessageRegistry, subjectFor } from '@coffeebuddy/contracts';

/** The message types the gateway publishes. */
export const GATEWAY_MESSAGE_TYPES = [
  'slash_command',
  'block_action',
  'view_submission',
  'app_home_opened',
] as const;

/**
 * Registers (or finds) the schemas of everything the gateway publishes, before it takes requests:
 * otherwise the first request of each kind pays for a registry round trip inside its ack budget
 * (and, on a slow registry, is answered "couldn't confirm" while its message lands later). An
 * incompatible schema stops the gateway at start instead of failing people's commands.
 */
export async function registerGatewaySchemas(registry: MessageRegistry): Promise<void> {
  await Promise.all(
    GATEWAY_MESSAGE_TYPES.flatMap((type) =>
      MESSAGE_CATALOG[type].topics.map((topic) =>
        registry.register(subjectFor(topic, type), MESSAGE_SCHEMAS[type]),
      ),
    ),
  );
}
