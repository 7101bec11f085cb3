// Starts orders-service as a process (SIGTERM/SIGINT stop it gracefully).
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
import { loadOrdersConfig } from './config';
import { startOrdersWorker } from './worker';

const config = loadOrdersConfig(process.env);
const logger = createLogger({ service: 'orders-service', level: config.LOG_LEVEL });

runWorkerProcess(logger, async () => {
  const kafkaConfig = loadKafkaConfig(process.env);
  const db = await createDb(loadDbConfig(process.env), logger);
  const store = new PrismaInstallationStore(db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY));
  const tokens = new BotTokenResolver(store, config.SLACK_BOT_TOKEN || undefined);
  // views.open must happen inside the trigger's 3 s: short Web API timeouts.
  const clients = new SlackClients({ slackApiUrl: config.SLACK_API_URL, logger, timeoutMs: 2_500 });
  return startOrdersWorker({
    config,
    logger,
    metricsRegistry: createMetricsRegistry('orders-service'),
    kafka: createKafka(kafkaConfig, 'orders-service', logger),
    messageRegistry: new MessageRegistry(kafkaConfig.schemaRegistryUrl),
    db,
    slack: slackActions(tokens, clients),
    resources: [{ name: 'database', close: () => db.$disconnect() }],
  });
});
