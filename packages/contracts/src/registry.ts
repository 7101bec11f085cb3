import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

/** The library does not export its error classes; their names are stable. */
const isRegistryValidationError = (error: unknown): error is Error & { paths?: unknown } =>
  error instanceof Error && error.name === 'ConfluentSchemaRegistryValidationError';

import { MESSAGE_CATALOG, MESSAGE_SCHEMAS, MESSAGE_TYPES, type MessageType, subjectFor } from './catalog';
import { ContractError, SchemaCompatibilityError } from './errors';
import type { TopicName } from './topics';
import { createAjv } from './validation';

/**
 * The message schemas in a Confluent-compatible schema registry. Every (topic, type) pair is a
 * subject (`<topic>-<type>`) holding the JSON Schema of the whole message, with BACKWARD
 * compatibility: a change that old messages would not satisfy is rejected by the registry and
 * surfaces here as a SchemaCompatibilityError.
 */
export class MessageRegistry {
  private readonly registry: SchemaRegistry;
  private readonly ids = new Map<string, number>();

  constructor(readonly url: string) {
    this.registry = new SchemaRegistry(
      { host: url, retry: { retries: 3 } },
      { [SchemaType.JSON]: { ajvInstance: createAjv() } },
    );
  }

  /** Registers (or finds) the schema of `type` under `subject`; returns its registry ID. */
  async register(subject: string, schema: object): Promise<number> {
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.JSON, schema: JSON.stringify(schema) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      this.ids.set(subject, id);
      return id;
    } catch (error) {
      throw translateRegistryError(error, subject);
    }
  }

  /** Registers every message schema of the catalog (idempotent: known schemas keep their IDs). */
  async registerAll(): Promise<Map<string, number>> {
    for (const type of MESSAGE_TYPES) {
      for (const topic of MESSAGE_CATALOG[type].topics) {
        await this.register(subjectFor(topic, type), MESSAGE_SCHEMAS[type]);
      }
    }
    return new Map(this.ids);
  }

  /** Encodes a (validated) message in the Confluent wire format: magic byte, schema ID, JSON. */
  async encode(topic: TopicName, type: MessageType, message: object): Promise<Buffer> {
    const subject = subjectFor(topic, type);
    const id = this.ids.get(subject) ?? (await this.register(subject, MESSAGE_SCHEMAS[type]));
    try {
      return await this.registry.encode(id, message);
    } catch (error) {
      throw translateRegistryError(error, subject);
    }
  }

  /**
   * Encodes a message that `validateMessage` has already accepted against `MESSAGE_SCHEMAS[type]`
   * (the very schema registered under the subject), in the same Confluent wire format as
   * `encode` — magic byte 0, the schema ID as a 4-byte big-endian integer, the JSON — without
   * validating it a second time (the producer's hot path). Throws ContractError REGISTRY_ERROR
   * when the subject cannot be registered.
   */
  async encodeValidated(topic: TopicName, type: MessageType, message: object): Promise<Buffer> {
    const subject = subjectFor(topic, type);
    const id = this.ids.get(subject) ?? (await this.register(subject, MESSAGE_SCHEMAS[type]));
    const json = Buffer.from(JSON.stringify(message));
    const framed = Buffer.allocUnsafe(5 + json.length);
    framed.writeUInt8(0, 0);
    framed.writeInt32BE(id, 1);
    json.copy(framed, 5);
    return framed;
  }

  /** Decodes a wire-format message with the writer's schema, fetched from the registry by ID. */
  async decode(buffer: Buffer): Promise<unknown> {
    try {
      return await this.registry.decode(buffer);
    } catch (error) {
      if (isRegistryValidationError(error)) throw translateRegistryError(error, 'the writer schema');
      const status = (error as { status?: number }).status;
      // An unknown schema ID (404), a truncated value or unparseable JSON will never decode; any
      // other registry answer (mappersmith reports network failures as HTTP 400) is waited out.
      const registryDown = status === undefined ? isNetworkError(error) : status !== 404;
      if (registryDown) throw translateRegistryError(error, 'decode');
      throw new ContractError(
        'UNDECODABLE_MESSAGE',
        `message cannot be decoded: ${(error as Error).message}`,
      );
    }
  }
}

function isNetworkError(error: unknown): boolean {
  const code =
    (error as { code?: string; cause?: { code?: string } }).code ??
    (error as { cause?: { code?: string } }).cause?.code;
  return typeof code === 'string' && /^(ECONN|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENOTFOUND|EPIPE)/.test(code);
}

function translateRegistryError(error: unknown, subject: string): ContractError {
  if (error instanceof ContractError) return error;
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 409) return new SchemaCompatibilityError(subject, message);
  if (isRegistryValidationError(error)) {
    const paths = error.paths;
    return new ContractError(
      'INVALID_MESSAGE',
      `message does not match the schema of ${subject}: ${JSON.stringify(paths)}`,
    );
  }
  return new ContractError(
    'REGISTRY_ERROR',
    `schema registry error for ${subject}${status ? ` (HTTP ${status})` : ''}: ${message}`,
  );
}
