import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { AdminConfigChanged, ChannelReset } from './messages/admin-events';
import { Closed, Nullable, SlackChannelId, SlackTeamId, SlackUserId, Timestamp } from './messages/common';
import { AppHomeOpened, BlockAction, SlashCommand, ViewSubmission } from './messages/gateway-commands';
import { ReminderFailed, ReminderScheduled, ReminderSent } from './messages/reminder-events';
import {
  OrderCancelled,
  OrderPlaced,
  OrderUpdated,
  RunCancelled,
  RunClosed,
  RunCreated,
} from './messages/run-events';
import { TOPICS, type TopicName } from './topics';

/**
 * Every message type: its current schema version, its payload schema and the topics it may be
 * published to. The full message schema (envelope + payload) is derived from this, registered
 * in the schema registry and validated on produce and on consume; the TypeScript types below
 * are derived from the same schemas.
 */

const entry = <V extends number, P extends TSchema>(
  version: V,
  payload: P,
  topics: readonly TopicName[],
) => ({
  version,
  payload,
  topics,
});

export const MESSAGE_CATALOG = {
  slash_command: entry(1, SlashCommand, [TOPICS.runCommands, TOPICS.adminCommands]),
  block_action: entry(1, BlockAction, [TOPICS.runCommands, TOPICS.orderCommands, TOPICS.adminCommands]),
  view_submission: entry(1, ViewSubmission, [TOPICS.orderCommands, TOPICS.adminCommands]),
  app_home_opened: entry(1, AppHomeOpened, [TOPICS.runCommands]),
  run_created: entry(1, RunCreated, [TOPICS.runEvents]),
  run_closed: entry(1, RunClosed, [TOPICS.runEvents]),
  run_cancelled: entry(1, RunCancelled, [TOPICS.runEvents]),
  order_placed: entry(1, OrderPlaced, [TOPICS.runEvents]),
  order_updated: entry(1, OrderUpdated, [TOPICS.runEvents]),
  order_cancelled: entry(1, OrderCancelled, [TOPICS.runEvents]),
  reminder_scheduled: entry(1, ReminderScheduled, [TOPICS.reminderEvents]),
  reminder_sent: entry(1, ReminderSent, [TOPICS.reminderEvents]),
  reminder_failed: entry(1, ReminderFailed, [TOPICS.reminderEvents]),
  admin_config_changed: entry(1, AdminConfigChanged, [TOPICS.adminEvents]),
  channel_reset: entry(1, ChannelReset, [TOPICS.adminEvents]),
} as const;

type Catalog = typeof MESSAGE_CATALOG;
export type MessageType = keyof Catalog;
export const MESSAGE_TYPES = Object.keys(MESSAGE_CATALOG) as MessageType[];

/** The envelope every message carries, around its payload. */
function envelopeSchema<T extends MessageType>(type: T) {
  const { version, payload } = MESSAGE_CATALOG[type];
  return Closed(
    {
      messageId: Type.String({ format: 'uuid' }),
      type: Type.Literal(type),
      schemaVersion: Type.Literal(version),
      occurredAt: Timestamp,
      correlationId: Type.String({ minLength: 1, maxLength: 128 }),
      teamId: SlackTeamId,
      channelId: SlackChannelId,
      userId: Nullable(SlackUserId),
      payload: payload as Catalog[T]['payload'],
    },
    { title: `coffeebuddy.${type}.v${version}` },
  );
}

type MessageSchemaOf<T extends MessageType> = ReturnType<typeof envelopeSchema<T>>;

export const MESSAGE_SCHEMAS = Object.fromEntries(
  MESSAGE_TYPES.map((type) => [type, envelopeSchema(type)]),
) as {
  [T in MessageType]: MessageSchemaOf<T>;
};

/** A whole message of type T: envelope and payload. */
export type MessageOf<T extends MessageType> = Static<MessageSchemaOf<T>>;
export type PayloadOf<T extends MessageType> = Static<Catalog[T]['payload']>;
export type AnyMessage = { [T in MessageType]: MessageOf<T> }[MessageType];

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && Object.hasOwn(MESSAGE_CATALOG, value);
}

/** Registry subject of a message type on a topic (topic-record naming: `<topic>-<type>`). */
export const subjectFor = (topic: string, type: MessageType): string => `${topic}-${type}`;
