import { consumerGroupFor, TOPICS } from '@coffeebuddy/contracts';
import { OUTBOX_RELAY, startWorker, type Worker } from '@coffeebuddy/service-kit';
import { ADMIN_MODAL, RESET_MODAL, type SlackWorkerResources } from '@coffeebuddy/slack';
import type { Logger } from 'pino';
import type { AdminConfig } from './config';
import type { AdminDeps } from './handlers/common';
import { changePersonalSetting, isPersonalSetting } from './handlers/personal';
import { askResetConfirmation, resetChannel } from './handlers/reset';
import { openSettings, saveSettings } from './handlers/settings';
import { retentionPoller } from './retention';

/** What the process built at start-up (slackWorkerResources), plus config and logger. */
export interface AdminWorkerDeps extends SlackWorkerResources {
  config: Pick<
    AdminConfig,
    | 'OPS_HOST'
    | 'OPS_PORT'
    | 'OUTBOX_INTERVAL_MS'
    | 'SHUTDOWN_TIMEOUT_MS'
    | 'CONSUMER_GROUP'
    | 'PARTITIONS_CONCURRENTLY'
    | 'HANDLER_TIMEOUT_MS'
    | 'KAFKA_SESSION_TIMEOUT_MS'
    | 'RETENTION_INTERVAL_MS'
    | 'RETENTION_BATCH_SIZE'
    | 'BOOKKEEPING_RETENTION_DAYS'
  >;
  logger: Logger;
}

/**
 * admin-service as a worker: consumes the admin commands (`/coffee admin`, the settings and
 * reset views, App Home settings), relays its outbox (admin events), delivers its Slack effects
 * and runs the retention sweep.
 */
export async function startAdminWorker(deps: AdminWorkerDeps): Promise<Worker> {
  let worker: Worker | undefined;
  const adminDeps: AdminDeps = {
    db: deps.db,
    slack: deps.slack,
    effects: deps.effects,
    wakeOutbox: () => worker?.wake(OUTBOX_RELAY),
  };
  worker = await startWorker({
    service: 'admin-service',
    logger: deps.logger,
    metricsRegistry: deps.metricsRegistry,
    kafka: deps.kafka,
    messageRegistry: deps.messageRegistry,
    ops: { host: deps.config.OPS_HOST, port: deps.config.OPS_PORT },
    shutdownTimeoutMs: deps.config.SHUTDOWN_TIMEOUT_MS,
    database: { db: deps.db, outboxIntervalMs: deps.config.OUTBOX_INTERVAL_MS },
    pollers: [
      deps.effects.poller,
      retentionPoller({
        db: deps.db,
        metricsRegistry: deps.metricsRegistry,
        intervalMs: deps.config.RETENTION_INTERVAL_MS,
        batchSize: deps.config.RETENTION_BATCH_SIZE,
        horizonDays: deps.config.BOOKKEEPING_RETENTION_DAYS,
      }),
    ],
    resources: deps.resources,
    consumers: [
      {
        groupId: deps.config.CONSUMER_GROUP ?? consumerGroupFor('admin-service'),
        partitionsConcurrently: deps.config.PARTITIONS_CONCURRENTLY,
        handlerTimeoutMs: deps.config.HANDLER_TIMEOUT_MS,
        sessionTimeoutMs: deps.config.KAFKA_SESSION_TIMEOUT_MS,
        topics: [TOPICS.adminCommands],
        handler: async (message, context) => {
          if (message.type === 'slash_command' && message.payload.intent === 'admin')
            return openSettings(adminDeps, message, context);
          if (message.type === 'view_submission') {
            if (message.payload.callbackId === ADMIN_MODAL.callbackId)
              return saveSettings(adminDeps, message, context);
            if (message.payload.callbackId === RESET_MODAL.callbackId)
              return resetChannel(adminDeps, message, context);
          }
          if (message.type === 'block_action') {
            if (message.payload.actionId === ADMIN_MODAL.resetActionId)
              return askResetConfirmation(adminDeps, message, context);
            if (isPersonalSetting(message.payload.actionId))
              return changePersonalSetting(adminDeps, message, context);
          }
          context.logger.info({ type: message.type }, 'not handled by admin-service; skipped');
          return undefined;
        },
      },
    ],
  });
  return worker;
}
