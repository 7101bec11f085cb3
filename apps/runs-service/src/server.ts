// Starts runs-service as a process (SIGTERM/SIGINT stop it gracefully).
import { createLogger, runWorkerProcess } from '@coffeebuddy/service-kit';
import { runEffectKinds, slackWorkerResources } from '@coffeebuddy/slack';
import { loadRunsConfig } from './config';
import { startRunsWorker } from './worker';

const config = loadRunsConfig(process.env);
const logger = createLogger({ service: 'runs-service', level: config.LOG_LEVEL });

runWorkerProcess(logger, async () =>
  startRunsWorker({
    config,
    logger,
    ...(await slackWorkerResources('runs-service', config, logger, process.env, {
      effectKinds: runEffectKinds,
    })),
  }),
);
