// Starts runs-service as a process (SIGTERM/SIGINT stop it gracefully).
import { createKafka, loadKafkaConfig, MessageRegistry } from '@coffeebuddy/contracts';
import { createDb, loadDbConfig } from '@coffeebuddy/db';
import { createLogger, createMetricsRegistry, runWorkerProcess } from '@coffeebuddy/service-kit';
import {
  BotTokenResolver,
  PrismaInstallationStore,
  SlackClients,
  slackActions,
  TokenCipher,
} from '@coffeebuddy/slack';
import { loadRunsConfig } from './config';

import { startRunsWorker } from './worker';

const config = loadRunsConfig(process.env);
const logger = createLogger({ service: 'runs-service', level: config.LOG_LEVEL });

runWorkerProcess(logger, async () => {
  const kafkaConfig = loadKafkaConfig(process.env);
  const db = await createDb(loadDbConfig(process.env), logger);
  const store = new PrismaInstallationStore(db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY));
  const tokens = new BotTokenResolver(store, config.SLACK_BOT_TOKEN || undefined);
  const clients = new SlackClients({ slackApiUrl: config.SLACK_API_URL, logger });
  return startRunsWorker({
    config,
    logger,
    metricsRegistry: createMetricsRegistry('runs-service'),
    kafka: createKafka(kafkaConfig, 'runs-service', logger),
    messageRegistry: new MessageRegistry(kafkaConfig.schemaRegistryUrl),
    db,
    slack: slackActions(tokens, clients),
    resources: [{ name: 'database', close: () => db.$disconnect() }],
  });
});
