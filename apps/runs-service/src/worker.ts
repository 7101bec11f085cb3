import { consumerGroupFor, TOPICS } from '@coffeebuddy/contracts';
import { OUTBOX_RELAY, startWorker, type Worker } from '@coffeebuddy/service-kit';
import { RUN_ACTIONS, type SlackWorkerResources } from '@coffeebuddy/slack';
import type { Logger } from 'pino';
import type { RunsConfig } from './config';
import { showAppHome } from './handlers/app-home';
import { applyChannelSettings } from './handlers/channel-settings';
import { closeRun } from './handlers/close-run';
import { startRun } from './handlers/start-run';

/** What the process built at start-up (slackWorkerResources), plus config and logger. */
export interface RunsWorkerDeps extends SlackWorkerResources {
  config: Pick<
    RunsConfig,
    | 'OPS_HOST'
    | 'OPS_PORT'
    | 'OUTBOX_INTERVAL_MS'
    | 'SHUTDOWN_TIMEOUT_MS'
    | 'COMMAND_MAX_AGE_SECONDS'
    | 'CONSUMER_GROUP'
    | 'PARTITIONS_CONCURRENTLY'
    | 'HANDLER_TIMEOUT_MS'
    | 'KAFKA_SESSION_TIMEOUT_MS'
  >;
  logger: Logger;
}

/** runs-service as a worker: consumes run commands, relays its outbox, delivers its Slack effects. */
export async function startRunsWorker(deps: RunsWorkerDeps): Promise<Worker> {
  const { db, slack, effects } = deps;
  let worker: Worker | undefined;
  const wakeOutbox = () => worker?.wake(OUTBOX_RELAY);
  worker = await startWorker({
    service: 'runs-service',
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
        groupId: deps.config.CONSUMER_GROUP ?? consumerGroupFor('runs-service'),
        partitionsConcurrently: deps.config.PARTITIONS_CONCURRENTLY,
        handlerTimeoutMs: deps.config.HANDLER_TIMEOUT_MS,
        sessionTimeoutMs: deps.config.KAFKA_SESSION_TIMEOUT_MS,
        topics: [TOPICS.runCommands, TOPICS.adminEvents],
        handler: async (message, context) => {
          if (message.type === 'slash_command' && message.payload.intent === 'start_run') {
            return startRun(
              { db, slack, effects, wakeOutbox, maxCommandAgeMs: deps.config.COMMAND_MAX_AGE_SECONDS * 1000 },
              message,
              context,
            );
          }
          if (message.type === 'block_action' && message.payload.actionId === RUN_ACTIONS.closeRun) {
            return closeRun({ db, slack, effects, wakeOutbox }, message, context);
          }
          if (message.type === 'app_home_opened') return showAppHome({ db, effects }, message, context);
          if (message.type === 'admin_config_changed') {
            return applyChannelSettings({ db, effects, wakeOutbox }, message, context);
          }
          context.logger.info({ type: message.type }, 'not handled by runs-service yet; skipped');
          return undefined;
        },
      },
    ],
  });
  return worker;
}
