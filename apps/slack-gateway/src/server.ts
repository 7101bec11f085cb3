// Starts the gateway: the only public HTTP surface of CoffeeBuddy.
import {
  createKafka,
  createKafkaMetrics,
  createProducer,
  loadKafkaConfig,
  MessageRegistry,
} from '@coffeebuddy/contracts';
import { createDb, loadDbConfig } from '@coffeebuddy/db';
import { createLogger, createMetricsRegistry } from '@coffeebuddy/service-kit';
import { BotTokenResolver, PrismaInstallationStore, SlackClients, TokenCipher } from '@coffeebuddy/slack';
import { InstallProvider } from '@slack/oauth';
import { buildApp } from './app';
import { loadGatewayConfig } from './config';
import { channelSnapshot } from './lookups';
import { registerGatewaySchemas } from './schemas';
import { cachedUserZones } from './user-zones';

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger({ service: 'slack-gateway', level: config.LOG_LEVEL });
  const kafkaConfig = loadKafkaConfig(process.env);
  const metricsRegistry = createMetricsRegistry('slack-gateway');
  const db = await createDb(loadDbConfig(process.env), logger);
  const kafka = createKafka(kafkaConfig, 'slack-gateway', logger);
  const kafkaMetrics = createKafkaMetrics(metricsRegistry);
  const registry = new MessageRegistry(kafkaConfig.schemaRegistryUrl);
  logger.info('registering the message schemas the gateway publishes');
  await registerGatewaySchemas(registry);
  const producer = createProducer({
    kafka,
    registry,
    logger,
    metrics: kafkaMetrics,
    timeoutMs: config.PUBLISH_TIMEOUT_MS,
  });
  await producer.connect();
  const store = new PrismaInstallationStore(db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY));
  const tokens = new BotTokenResolver(store, config.SLACK_BOT_TOKEN || undefined);
  const slack = new SlackClients({ slackApiUrl: config.SLACK_API_URL, logger, timeoutMs: 1_000 });
  const installer = config.SLACK_CLIENT_ID
    ? new InstallProvider({
        clientId: config.SLACK_CLIENT_ID,
        clientSecret: config.SLACK_CLIENT_SECRET,
        stateSecret: config.SLACK_STATE_SECRET,
        installationStore: store,
        authorizationUrl: config.SLACK_AUTHORIZE_URL,
        clientOptions: { slackApiUrl: config.SLACK_API_URL },
        directInstall: true,
        installUrlOptions: {
          scopes: config.SLACK_SCOPES.split(','),
          redirectUri: `${config.PUBLIC_URL}/slack/oauth_redirect`,
        },
      })
    : undefined;

  // Channels turned off and channels' timezones, kept in memory: no query per slash command.
  const channels = channelSnapshot(db, { refreshMs: config.CHANNEL_REFRESH_MS, logger });
  await channels.start();

  const app = buildApp({
    config,
    logger,
    metricsRegistry,
    producer,
    db,
    userZone: cachedUserZones({ tokens, slack, logger }),
    channelEnabled: channels.channelEnabled,
    channelZone: channels.channelZone,
    channelChanged: channels.channelChanged,
    ...(installer ? { installer } : {}),
    readiness: [
      {
        name: 'kafka',
        check: async () =>
          (await kafkaMetrics.connected.get()).values.some(
            (v) => v.labels.client === 'producer' && v.value === 1,
          ),
      },
      { name: 'database', check: async () => (await db.$queryRaw`SELECT 1`) !== undefined },
    ],
  });
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ address, oauth: Boolean(installer) }, 'slack-gateway listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'slack-gateway stopping');
    app.markShuttingDown();
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 10 s');
      process.exit(1);
    }, 10_000);
    await app.close(); // finishes in-flight requests (each publishes before it answers)
    await channels.stop();
    await producer.disconnect();
    await db.$disconnect();
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: Error & { code?: string }) => {
  console.error(
    JSON.stringify({ level: 'fatal', service: 'slack-gateway', code: error.code, msg: error.message }),
  );
  process.exit(1);
});
