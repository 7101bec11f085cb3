// The provisioning job every deployment runs before the services start (the Helm chart's
// pre-install/pre-upgrade hook, docker-compose's one-shot jobs):
//
//   node provision.js [migrate] [topics] [acls] [schemas]     (no steps: migrate topics schemas)
//
//   migrate  apply prisma/migrations to DATABASE_URL (the bundle carries them in ./migrations;
//            MIGRATIONS_DIR overrides), as `prisma migrate deploy` would
//   topics   create or update every topic for KAFKA_ENVIRONMENT
//   acls     make the service principals' ACLs exactly those of ACL.md (needs ALTER on the cluster)
//   schemas  register every message schema in SCHEMA_REGISTRY_URL (BACKWARD compatibility)
//
// Every step is idempotent. Runs the steps in the order given, stops at the first failure and
// exits 1 with one JSON log line saying which step failed and why; exit 0 when all succeeded.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createKafka,
  loadKafkaConfig,
  MessageRegistry,
  provisionTopics,
  syncAcls,
} from '@coffeebuddy/contracts';
import { loadDbConfig, migrate } from '@coffeebuddy/db';
import pino, { type Logger } from 'pino';

export const STEPS = ['migrate', 'topics', 'acls', 'schemas'] as const;
export type Step = (typeof STEPS)[number];
const DEFAULT_STEPS: Step[] = ['migrate', 'topics', 'schemas'];

type Env = Record<string, string | undefined>;

/** The migrations folder: MIGRATIONS_DIR, else the one beside the bundle, else the repository's. */
function migrationsDir(env: Env): string | undefined {
  if (env.MIGRATIONS_DIR) return env.MIGRATIONS_DIR;
  const bundled = path.join(__dirname, 'migrations');
  return existsSync(bundled) ? bundled : undefined;
}

async function withAdmin<T>(
  env: Env,
  logger: Logger,
  work: (admin: ReturnType<ReturnType<typeof createKafka>['admin']>) => Promise<T>,
) {
  const config = loadKafkaConfig(env);
  const admin = createKafka(config, 'coffeebuddy-provisioner', logger).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

const RUN: Record<Step, (env: Env, logger: Logger) => Promise<object>> = {
  migrate: async (env, logger) => {
    const dir = migrationsDir(env);
    const result = await migrate(loadDbConfig(env), {
      ...(dir ? { migrationsDir: dir } : {}),
      onProgress: (message) => logger.info(message),
    });
    return { applied: result.applied, alreadyApplied: result.alreadyApplied.length };
  },
  topics: (env, logger) =>
    withAdmin(env, logger, async (admin) => {
      const report = await provisionTopics(admin, loadKafkaConfig(env).environment);
      for (const warning of report.warnings) logger.warn({ warning }, 'topic configuration warning');
      return { created: report.created, updated: report.updated, unchanged: report.unchanged.length };
    }),
  acls: (env, logger) =>
    withAdmin(env, logger, async (admin) => {
      const report = await syncAcls(admin);
      return { created: report.created, deleted: report.deleted.length, unchanged: report.unchanged };
    }),
  schemas: async (env) => {
    const ids = await new MessageRegistry(loadKafkaConfig(env).schemaRegistryUrl).registerAll();
    return { registered: ids.size };
  },
};

/** Parses the step arguments; throws on an unknown one, naming the valid ones. */
export function parseSteps(args: string[]): Step[] {
  if (args.length === 0) return DEFAULT_STEPS;
  for (const arg of args) {
    if (!(STEPS as readonly string[]).includes(arg))
      throw Object.assign(new Error(`unknown step "${arg}"; steps are ${STEPS.join(', ')}`), {
        code: 'USAGE',
      });
  }
  return args as Step[];
}

async function main(): Promise<void> {
  const logger = pino({
    base: { service: 'provision' },
    level: process.env.LOG_LEVEL ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
  let current = 'arguments';
  try {
    const steps = parseSteps(process.argv.slice(2));
    for (const step of steps) {
      current = step;
      const started = Date.now();
      const result = await RUN[step](process.env, logger.child({ step }));
      logger.info({ step, ...result, durationMs: Date.now() - started }, `${step} done`);
    }
    logger.info({ steps }, 'provisioning done');
  } catch (error) {
    const { code, type, message } = error as Error & { code?: string; type?: string };
    logger.fatal({ step: current, code: code ?? type, err: message }, `${current} failed`);
    process.exitCode = 1;
  }
}

void main();
