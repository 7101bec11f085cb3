export { activeOrders } from './active-orders';
export {
  BLOCK_KIT_LIMITS,
  type Block,
  chunkLines,
  clampText,
  packMessages,
  type SlackMessage,
  sectionsFromLines,
  sectionsWithin,
  splitLongLine,
} from './block-kit';
export * from './blocks/admin-modal';
export * from './blocks/app-home';
export * from './blocks/order-modal';
export * from './blocks/reminders';
export * from './blocks/run-message';
export * from './blocks/run-summary';
export { SlackConfigProperties } from './config';
export * from './effects';
export {
  BotTokenResolver,
  InstallationNotFoundError,
  installKeyOf,
  PrismaInstallationStore,
} from './installation-store';
export { type HistoryMessage, type MessageMetadata, type SlackActions, slackActions } from './slack-actions';
export {
  countCharacters,
  decodeSlackText,
  dropLeading,
  escapeMrkdwn,
  notePartsFrom,
  oneLine,
  partsOrPlain,
  plainText,
  renderMrkdwn,
  type TextPart,
  TextPartSchema,
  trimParts,
  unescapeSlack,
} from './slack-text';
export { TokenCipher, TokenCipherError } from './token-cipher';
export {
  MAX_CLOCK_SKEW_SECONDS,
  ReplayGuard,
  type SlackRequest,
  SlackVerificationError,
  type SlackVerificationErrorCode,
  verifySlackRequest,
} from './verify';
export { type SlackClientOptions, SlackClients, SlackRateLimitedError } from './web-client';
export { type SlackWorkerResources, slackWorkerResources } from './worker-bootstrap';
