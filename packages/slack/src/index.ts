export * from './blocks/order-modal';
export * from './blocks/run-message';
export * from './blocks/run-summary';
export {
  BotTokenResolver,
  InstallationNotFoundError,
  installKeyOf,
  PrismaInstallationStore,
} from './installation-store';
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
