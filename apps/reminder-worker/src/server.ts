// Starts the reminder-worker as a process (SIGTERM/SIGINT stop it gracefully).
import { createLogger, runWorkerProcess } from '@coffeebuddy/service-kit';
import { slackWorkerResources } from '@coffeebuddy/slack';
import { loadReminderConfig } from './config';
import { reminderEffectKinds } from './reminder-effects';
import { startReminderWorker } from './worker';

const config = loadReminderConfig(process.env);
const logger = createLogger({ service: 'reminder-worker', level: config.LOG_LEVEL });

runWorkerProcess(logger, async () =>
  startReminderWorker({
    config,
    logger,
    ...(await slackWorkerResources('reminder-worker', config, logger, process.env, {
      effectKinds: (metricsRegistry) =>
        reminderEffectKinds({ metricsRegistry, waitForCloseMs: config.REMINDER_WAIT_FOR_CLOSE_MS }),
    })),
  }),
);
