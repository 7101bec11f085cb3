import { consumerGroupFor, TOPICS } from '@coffeebuddy/contracts';
import { startWorker, type Worker } from '@coffeebuddy/service-kit';
import type { SlackWorkerResources } from '@coffeebuddy/slack';
import type { Logger } from 'pino';
import type { ReminderConfig } from './config';
import { scheduleReminder } from './handlers/schedule';

/** What the process built at start-up (slackWorkerResources), plus config and logger. */
export interface ReminderWorkerDeps extends SlackWorkerResources {
  config: Pick<
    ReminderConfig,
    | 'OPS_HOST'
    | 'OPS_PORT'
    | 'OUTBOX_INTERVAL_MS'
    | 'SHUTDOWN_TIMEOUT_MS'
    | 'CONSUMER_GROUP'
    | 'PARTITIONS_CONCURRENTLY'
    | 'HANDLER_TIMEOUT_MS'
    | 'KAFKA_SESSION_TIMEOUT_MS'
  >;
  logger: Logger;
}

/**
 * The reminder-worker: consumes the reminder events topic (reminder_scheduled) into scheduled
 * Slack effects, delivers them at their time (the effects poller), and relays its outbox
 * (reminder_sent, reminder_failed).
 */
export async function startReminderWorker(deps: ReminderWorkerDeps): Promise<Worker> {
  const { db, effects } = deps;
  return startWorker({
    service: 'reminder-worker',
    logger: deps.logger,
    metricsRegistry: deps.metricsRegistry,
    kafka: deps.kafka,
    messageRegistry: deps.messageRegistry,
    ops: { host: deps.config.OPS_HOST, port: deps.config.OPS_PORT },
    shutdownTimeoutMs: deps.config.SHUTDOWN_TIMEOUT_MS,
    database: { db, outboxIntervalMs: deps.config.OUTBOX_INTERVAL_MS },
    pollers: [effects.poller],
    resources: deps.resources,
    consumers: [
      {
        groupId: deps.config.CONSUMER_GROUP ?? consumerGroupFor('reminder-worker'),
        partitionsConcurrently: deps.config.PARTITIONS_CONCURRENTLY,
        handlerTimeoutMs: deps.config.HANDLER_TIMEOUT_MS,
        sessionTimeoutMs: deps.config.KAFKA_SESSION_TIMEOUT_MS,
        topics: [TOPICS.reminderEvents],
        handler: async (message, context) => {
          if (message.type === 'reminder_scheduled')
            return scheduleReminder({ db, effects }, message, context);
          // reminder_sent / reminder_failed are this worker's own outcomes, for others to read.
          return undefined;
        },
      },
    ],
  });
}
