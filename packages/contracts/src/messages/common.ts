import { type TObject, type TProperties, type TUnsafe, Type } from '@sinclair/typebox';
import { CHANNEL_SETTING_BOUNDS as B } from '../channel-settings';

/** Building blocks shared by the payload schemas. */

/**
 * Every object schema is closed (`additionalProperties: false`): the registry's BACKWARD check
 * only lets a closed object gain optional fields, and producers must not send fields nobody
 * declared. Consumers strip fields newer than their copy of the schema (see validation.ts).
 */
export function Closed<T extends TProperties>(
  properties: T,
  options: Parameters<typeof Type.Object>[1] = {},
): TObject<T> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}
export const SlackUserId = Type.String({ pattern: '^[UWB][A-Z0-9]{2,}$', description: 'Slack user ID' });
export const SlackChannelId = Type.String({
  pattern: '^[CGD][A-Z0-9]{2,}$',
  description: 'Slack channel ID',
});
export const SlackTeamId = Type.String({
  pattern: '^[TE][A-Z0-9]{2,}$',
  description: 'Slack team (workspace) ID',
});
export const RunId = Type.String({ format: 'uuid' });
export const OrderId = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });
/** Longest order text, in characters (the modal's max_length too). */
export const ORDER_TEXT_MAX_LENGTH = 300;
export const OrderText = Type.String({ minLength: 1, maxLength: ORDER_TEXT_MAX_LENGTH });
/**
 * One of a fixed set of strings, as JSON Schema `{ type: 'string', enum }`. Not a union of
 * literals (`anyOf` of `const`s): Apicurio Registry 3.0's BACKWARD check reports every later
 * change to a schema holding such an `anyOf` as COMBINED_TYPE_SUBSCHEMA_NOT_COMPATIBLE — even
 * adding an optional field elsewhere — while it checks `enum` correctly (adding a value passes,
 * removing one is refused). Measured against the local registry; see packages/contracts/README.md.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** Longest note on a run, in characters (code points) as the person typed it. */
export const NOTE_MAX_LENGTH = 280;
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const bounded = (b: { min: number; max: number }) => Type.Integer({ minimum: b.min, maximum: b.max });
export const ReminderOffsetMinutes = bounded(B.reminderOffsetMinutes);
export const FairnessWindowDays = bounded(B.fairnessWindowDays);
export const DataRetentionDays = bounded(B.dataRetentionDays);
