import { createKafka, loadKafkaConfig, MessageRegistry, type ServiceName } from '@coffeebuddy/contracts';
import { createDb, type Db, loadDbConfig } from '@coffeebuddy/db';
import { createMetricsRegistry } from '@coffeebuddy/service-kit';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { BotTokenResolver, PrismaInstallationStore } from './installation-store';
import { type SlackActions, slackActions } from './slack-actions';
import { TokenCipher } from './token-cipher';
import { SlackClients } from './web-client';

export interface SlackWorkerResources {
  db: Db;
  kafka: Kafka;
  messageRegistry: MessageRegistry;
  metricsRegistry: Registry;
  slack: SlackActions;
  resources: { name: string; close: () => Promise<void> }[];
}

/**
 * What every Slack-calling worker process builds at start-up from its environment: the database
 * (connected, with bounded retry), Kafka, the schema registry, its metrics registry and the Slack
 * actions over the encrypted installation store. The database is returned as a resource for the
 * harness to close last.
 */
export async function slackWorkerResources(
  service: ServiceName,
  config: { TOKEN_ENCRYPTION_KEY: string; SLACK_BOT_TOKEN: string; SLACK_API_URL: string },
  logger: Logger,
  env: Record<string, string | undefined>,
  options: { slackTimeoutMs?: number } = {},
): Promise<SlackWorkerResources> {
  const kafkaConfig = loadKafkaConfig(env);
  const db = await createDb(loadDbConfig(env), logger);
  const store = new PrismaInstallationStore(db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY));
  const tokens = new BotTokenResolver(store, config.SLACK_BOT_TOKEN || undefined);
  const clients = new SlackClients({
    slackApiUrl: config.SLACK_API_URL,
    logger,
    ...(options.slackTimeoutMs ? { timeoutMs: options.slackTimeoutMs } : {}),
  });
  return {
    db,
    kafka: createKafka(kafkaConfig, service, logger),
    messageRegistry: new MessageRegistry(kafkaConfig.schemaRegistryUrl),
    metricsRegistry: createMetricsRegistry(service),
    slack: slackActions(tokens, clients),
    resources: [{ name: 'database', close: () => db.$disconnect() }],
  };
}
