export { createDb, DatabaseUnavailableError, type Db, type DbLogger, poolOptions } from './client';
export {
  type DbConfig,
  DbConfigError,
  type DbCredentials,
  loadDbConfig,
  type RetryPolicy,
  readCredentialsFile,
  redactUrl,
} from './config';
export * from './generated/prisma/client';
export {
  DEFAULT_MIGRATIONS_DIR,
  type MigrateResult,
  MigrationError,
  migrate,
  readMigrations,
} from './migrate';
export {
  type CommandFate,
  type DeliveredMessage,
  type ProcessOutcome,
  processMessageOnce,
  settleCommandFate,
} from './processed-messages';
export {
  RETENTION_TABLES,
  type RetentionOptions,
  type RetentionReport,
  type RetentionTable,
  sweepRetention,
} from './retention';
export { backoffDelay } from './retry';
export * from './serialize';
export {
  isRetryableTransactionError,
  type TransactionOptions,
  type Tx,
  withTransaction,
} from './transaction';
