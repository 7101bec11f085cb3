/** Coded errors of the contracts package; the code is stable for logs and metrics. */
export type ContractErrorCode =
  | 'MISSING_CORRELATION_ID'
  | 'UNKNOWN_MESSAGE_TYPE'
  | 'INVALID_MESSAGE'
  | 'TOPIC_NOT_ALLOWED'
  | 'SCHEMA_INCOMPATIBLE'
  | 'REGISTRY_ERROR'
  | 'UNDECODABLE_MESSAGE'
  | 'MESSAGE_TOO_LARGE'
  | 'INVALID_CONFIG';

export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

export class MessageValidationError extends ContractError {
  constructor(
    readonly messageType: string,
    readonly issues: ValidationIssue[],
  ) {
    super(
      'INVALID_MESSAGE',
      `${messageType} message is invalid: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
    );
    this.name = 'MessageValidationError';
  }
}

export class SchemaCompatibilityError extends ContractError {
  constructor(
    readonly subject: string,
    detail: string,
  ) {
    super(
      'SCHEMA_INCOMPATIBLE',
      `schema for ${subject} is not backward compatible with the registered versions: ${detail}. ` +
        'Make the change compatible (add optional fields, keep types) or introduce a new message type.',
    );
    this.name = 'SchemaCompatibilityError';
  }
}
