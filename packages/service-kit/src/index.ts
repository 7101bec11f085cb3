export { ConfigError, parseConfig } from './config';
export { createLogger, type Logger, type LoggerOptions, lazyChild, REDACTED_PATHS } from './logger';
export { createMetricsRegistry } from './metrics';
export {
  buildOpsServer,
  type OpsServer,
  type OpsServerOptions,
  type ReadinessCheck,
  registerOpsRoutes,
} from './ops-server';
export {
  enqueueOutbox,
  enqueueOutboxAll,
  OUTBOX_MAX_ATTEMPTS,
  OUTBOX_RELAY,
  outboxRelayPoller,
  relayOutboxOnce,
} from './outbox';
export {
  type ConsumerDefinition,
  type PollerDefinition,
  runWorkerProcess,
  startWorker,
  type Worker,
  type WorkerOptions,
} from './worker';
export { WorkerConfigProperties } from './worker-config';
