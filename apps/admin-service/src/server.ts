// Starts admin-service as a process (SIGTERM/SIGINT stop it gracefully).
import { createLogger, runWorkerProcess } from '@coffeebuddy/service-kit';
import { adminEffectKinds, slackWorkerResources } from '@coffeebuddy/slack';
import { loadAdminConfig } from './config';
import { startAdminWorker } from './worker';

const config = loadAdminConfig(process.env);
const logger = createLogger({ service: 'admin-service', level: config.LOG_LEVEL });

runWorkerProcess(logger, async () =>
  startAdminWorker({
    config,
    logger,
    ...(await slackWorkerResources('admin-service', config, logger, process.env, {
      effectKinds: adminEffectKinds,
    })),
  }),
);
