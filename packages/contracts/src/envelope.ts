import { createHash, randomUUID } from 'node:crypto';
import { MESSAGE_CATALOG, type MessageOf, type MessageType, type PayloadOf } from './catalog';
import { ContractError } from './errors';
import { validateMessage } from './validation';

export interface MessageContext {
  /** Created by the gateway for each Slack request and carried by every message it causes. */
  correlationId: string;
  teamId: string;
  channelId: string;
  userId: string | null;
  /**
   * Normally left out (a random UUID). Set it when the same input must always yield the same
   * message, e.g. from Slack's event_id, so redeliveries are recognised downstream.
   */
  messageId?: string;
}

/**
 * Builds a message of `type` with a fresh message ID and the current schema version, and
 * validates it. A missing correlation ID is an error: every message must be traceable.
 */
export function createMessage<T extends MessageType>(
  type: T,
  context: MessageContext,
  payload: PayloadOf<T>,
  now: Date = new Date(),
): MessageOf<T> {
  if (typeof context.correlationId !== 'string' || context.correlationId.trim() === '') {
    throw new ContractError(
      'MISSING_CORRELATION_ID',
      `cannot create a ${type} message without a correlation ID (pass the one of the request that caused it)`,
    );
  }
  const message = {
    messageId: context.messageId ?? randomUUID(),
    type,
    schemaVersion: MESSAGE_CATALOG[type].version,
    occurredAt: now.toISOString(),
    correlationId: context.correlationId,
    teamId: context.teamId,
    channelId: context.channelId,
    userId: context.userId,
    payload,
  };
  validateMessage(message);
  // Validated against the schema MessageOf<T> is derived from; TS cannot follow the generic.
  return message as unknown as MessageOf<T>;
}

/** A UUID (version 5 layout, SHA-1 based) that is always the same for the same name. */
export function deterministicMessageId(name: string): string {
  const hash = createHash('sha1').update(`coffeebuddy:${name}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Whether a string is a UUID (run IDs, order IDs, message IDs): check before using one from Slack. */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
