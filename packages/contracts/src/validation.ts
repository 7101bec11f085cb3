import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { type AnyMessage, isMessageType, MESSAGE_SCHEMAS, type MessageType } from './catalog';
import { ContractError, MessageValidationError } from './errors';
import { OrderText } from './messages/common';

/** One ajv instance (with standard formats) for local validation and the registry's JSON schemas. */
export function createAjv(options: { removeAdditional?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

/**
 * `produce`: the message must match the schema exactly. `consume`: fields this code's schema
 * does not know (added by a newer, compatible producer) are removed, the rest must match — the
 * tolerant reader that lets producers be upgraded before consumers.
 */
export type ValidationMode = 'produce' | 'consume';

const validatorsByMode: Record<ValidationMode, { ajv: Ajv; cache: Map<MessageType, ValidateFunction> }> = {
  produce: { ajv: createAjv(), cache: new Map() },
  consume: { ajv: createAjv({ removeAdditional: true }), cache: new Map() },
};

function validatorFor(type: MessageType, mode: ValidationMode): ValidateFunction {
  const { ajv, cache } = validatorsByMode[mode];
  let validate = cache.get(type);
  if (!validate) {
    validate = ajv.compile(MESSAGE_SCHEMAS[type]);
    cache.set(type, validate);
  }
  return validate;
}

/** Checks a whole message (envelope + payload) against its type's schema; returns it typed. */
export function validateMessage(message: unknown, mode: ValidationMode = 'produce'): AnyMessage {
  const type = (message as { type?: unknown } | null)?.type;
  if (!isMessageType(type)) {
    throw new ContractError('UNKNOWN_MESSAGE_TYPE', `unknown message type ${JSON.stringify(type)}`);
  }
  const validate = validatorFor(type, mode);
  if (!validate(message)) {
    throw new MessageValidationError(
      type,
      (validate.errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? 'is invalid' })),
    );
  }
  return message as AnyMessage;
}

const orderTextValidator = createAjv().compile(OrderText);

/** Checks an order's text against the OrderText schema every message uses. */
export function orderTextIssue(text: string): 'empty' | 'too_long' | null {
  // Blank text passes minLength but is no order; the schema itself stays as registered.
  if (text.trim().length === 0) return 'empty';
  const valid: boolean = orderTextValidator(text);
  return valid ? null : 'too_long';
}
