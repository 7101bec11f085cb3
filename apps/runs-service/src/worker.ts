import { consumerGroupFor, TOPICS } from '@coffeebuddy/contracts';
import { OUTBOX_RELAY, startWorker, type Worker } from '@coffeebuddy/service-kit';
import { RUN_ACTIONS, type SlackWorkerResources } from '@coffeebuddy/slack';
import type { Logger } from 'pino';
import type { RunsConfig } from './config';
import { showAppHome } from './handlers/app-home';
import { closeRun, finishPendingCloses } from './handlers/close-run';
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
    | 'FINISH_CLOSE_INTERVAL_MS'
  >;
  logger: Logger;
}

/** runs-service as a worker: consumes run commands, relays its outbox. */
export async function startRunsWorker(deps: RunsWorkerDeps): Promise<Worker> {
  const { db, slack } = deps;
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
    pollers: [
      {
        name: 'finish-closed-runs',
        intervalMs: deps.config.FINISH_CLOSE_INTERVAL_MS,
        run: async (logger) => {
          await finishPendingCloses({ db, slack, wakeOutbox }, logger);
        },
      },
    ],
    resources: deps.resources,
    consumers: [
      {
        groupId: deps.config.CONSUMER_GROUP ?? consumerGroupFor('runs-service'),
        partitionsConcurrently: deps.config.PARTITIONS_CONCURRENTLY,
        topics: [TOPICS.runCommands],
        handler: async (message, context) => {
          if (message.type === 'slash_command' && message.payload.intent === 'start_run') {
            return startRun(
              { db, slack, wakeOutbox, maxCommandAgeMs: deps.config.COMMAND_MAX_AGE_SECONDS * 1000 },
              message,
              context,
            );
          }
          if (message.type === 'block_action' && message.payload.actionId === RUN_ACTIONS.closeRun) {
            return closeRun({ db, slack, wakeOutbox }, message, context);
          }
          if (message.type === 'app_home_opened') return showAppHome({ db, slack }, message, context);
          context.logger.info({ type: message.type }, 'not handled by runs-service yet; skipped');
          return undefined;
        },
      },
    ],
  });
  return worker;
}
