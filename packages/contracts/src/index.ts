export * from './acl';
export * from './admin';
export * from './calendar';
export * from './catalog';
export * from './channel-settings';
export * from './consumer';
export * from './dead-letters';
export * from './envelope';
export * from './errors';
export * from './kafka';
export * from './kafka-metrics';
export { NOTE_MAX_LENGTH, ORDER_TEXT_MAX_LENGTH } from './messages/common';
export * from './producer';
export * from './registry';
export * from './topics';
export {
  isTransientError,
  isTransientSqlState,
  SLACK_TRANSIENT_ERRORS,
  TransientError,
} from './transient';
export { createAjv, orderTextIssue, type ValidationMode, validateMessage } from './validation';
