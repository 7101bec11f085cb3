// Starts orders-service as a process (SIGTERM/SIGINT stop it gracefully).
import { createLogger, runWorkerProcess } from '@coffeebuddy/service-kit';
import { runEffectKinds, slackWorkerResources } from '@coffeebuddy/slack';
import { loadOrdersConfig } from './config';
import { startOrdersWorker } from './worker';

const config = loadOrdersConfig(process.env);
const logger = createLogger({ service: 'orders-service', level: config.LOG_LEVEL });

runWorkerProcess(logger, async () =>
  startOrdersWorker({
    config,
    logger,
    // views.open must happen inside the trigger's 3 s: short Web API timeouts.
    ...(await slackWorkerResources('orders-service', config, logger, process.env, {
      slackTimeoutMs: 2_500,
      effectKinds: runEffectKinds,
    })),
  }),
);
