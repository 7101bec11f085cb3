import { createKafka, loadKafkaConfig, MessageRegistry, type ServiceName } from '@coffeebuddy/contracts';
import { createDb, type Db, loadDbConfig } from '@coffeebuddy/db';
import { createMetricsRegistry } from '@coffeebuddy/service-kit';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createEffectDeliverer, type EffectDeliverer } from './effects/deliverer';
import type { EffectKinds } from './effects/types';
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
  /** Delivers the service's Slack effects; add `effects.poller` to the worker's pollers. */
  effects: EffectDeliverer;
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
  config: {
    TOKEN_ENCRYPTION_KEY: string;
    SLACK_BOT_TOKEN: string;
    SLACK_API_URL: string;
    EFFECTS_INTERVAL_MS: number;
    EFFECT_LEASE_MS: number;
  },
  logger: Logger,
  env: Record<string, string | undefined>,
  options: { slackTimeoutMs?: number; effectKinds: EffectKinds },
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
  const metricsRegistry = createMetricsRegistry(service);
  const slack = slackActions(tokens, clients);
  return {
    db,
    kafka: createKafka(kafkaConfig, service, logger),
    messageRegistry: new MessageRegistry(kafkaConfig.schemaRegistryUrl),
    metricsRegistry,
    slack,
    effects: createEffectDeliverer({
      db,
      slack,
      kinds: options.effectKinds,
      logger: logger.child({ component: 'slack-effects' }),
      metricsRegistry,
      intervalMs: config.EFFECTS_INTERVAL_MS,
      leaseMs: config.EFFECT_LEASE_MS,
    }),
    resources: [{ name: 'database', close: () => db.$disconnect() }],
  };
}
