import pino from 'pino';
import { loadConfig } from './config';
import { createSlackEmulator } from './emulator';
import { registerWorkspacePage } from './workspace-page';

/** The emulator as a process, for the local stack: `pnpm --filter @coffeebuddy/slack-emulator start`. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = pino({
    level: config.logLevel,
    base: { service: 'slack-emulator' },
    redact: {
      paths: ['req.headers.authorization', 'token', '*.token', 'client_secret', '*.client_secret'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
  const emulator = createSlackEmulator({
    botToken: config.botToken,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    ...(config.redirectUri ? { redirectUri: config.redirectUri } : {}),
    logger,
  });
  const page = registerWorkspacePage(emulator, config.app ? { app: config.app } : {});
  const baseUrl = await emulator.start({ host: config.host, port: config.port });
  logger.info(
    {
      baseUrl,
      apiUrl: emulator.apiUrl,
      authorizeUrl: `${baseUrl}/oauth/v2/authorize`,
      page: { url: `${baseUrl}/`, built: page.built, app: config.app?.url ?? null },
    },
    `slack emulator listening on ${baseUrl}`,
  );
  if (!page.built)
    logger.warn('the workspace page is not built: pnpm --filter @coffeebuddy/slack-emulator build');
  if (!config.app) {
    logger.warn(
      'no SLACK_EMULATOR_APP_URL / SLACK_SIGNING_SECRET: the workspace page shows state but sends nothing',
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'slack emulator stopping');
    emulator.stop().then(
      () => {
        logger.info('slack emulator stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'slack emulator did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
