import { randomUUID } from 'node:crypto';
import { MESSAGE_SCHEMAS, MessageRegistry, SchemaCompatibilityError } from '../src';
import { kafkaTestConfig } from '../src/testing';

/**
 * The message schemas can evolve the way the contracts promise, in the real registry: a later
 * version that adds an optional field, or widens an enum, is accepted; one that removes an enum
 * value old messages use is refused.
 */

const registry = new MessageRegistry(kafkaTestConfig().schemaRegistryUrl);
const schema = () =>
  structuredClone(MESSAGE_SCHEMAS.reminder_scheduled) as unknown as {
    properties: { payload: { properties: Record<string, unknown> } };
  };

describe('schema evolution in the registry', () => {
  it('accepts an optional field and a wider enum, and refuses a narrower enum', async () => {
    const subject = `test.evolution-${randomUUID()}`;
    await registry.register(subject, schema());
    const withField = schema();
    withField.properties.payload.properties.note = { type: 'string' };
    await expect(registry.register(subject, withField)).resolves.toEqual(expect.any(Number));
    const wider = structuredClone(withField);
    wider.properties.payload.properties.kind = { type: 'string', enum: ['runner', 'last_call', 'pickup'] };
    await expect(registry.register(subject, wider)).resolves.toEqual(expect.any(Number));
    const narrower = structuredClone(wider);
    narrower.properties.payload.properties.kind = { type: 'string', enum: ['runner'] };
    await expect(registry.register(subject, narrower)).rejects.toBeInstanceOf(SchemaCompatibilityError);
  });
});
