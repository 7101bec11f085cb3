import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { ContractError } from './errors';
import { type Environment, isEnvironment } from './topics';

export interface KafkaConfig {
  /** Bootstrap brokers, host:port. */
  brokers: string[];
  /** Confluent-compatible schema registry base URL. */
  schemaRegistryUrl: string;
  /** Which topic configuration applies (partitions, replication, …). */
  environment: Environment;
}

/** Reads KAFKA_BROKERS, SCHEMA_REGISTRY_URL and KAFKA_ENVIRONMENT (local|production). */
export function loadKafkaConfig(env: Record<string, string | undefined>): KafkaConfig {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0)
    throw new ContractError('REGISTRY_ERROR', 'KAFKA_BROKERS is not set (comma-separated host:port list)');
  for (const broker of brokers) {
    if (!/^[^:\s]+:\d+$/.test(broker))
      throw new ContractError('REGISTRY_ERROR', `KAFKA_BROKERS entry "${broker}" is not host:port`);
  }
  const schemaRegistryUrl = env.SCHEMA_REGISTRY_URL;
  if (!schemaRegistryUrl) throw new ContractError('REGISTRY_ERROR', 'SCHEMA_REGISTRY_URL is not set');
  const environment = env.KAFKA_ENVIRONMENT ?? 'local';
  if (!isEnvironment(environment)) {
    throw new ContractError(
      'REGISTRY_ERROR',
      `KAFKA_ENVIRONMENT must be local or production, got "${environment}"`,
    );
  }
  return { brokers, schemaRegistryUrl, environment };
}

const LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through the service's pino logger. */
export function createKafka(config: Pick<KafkaConfig, 'brokers'>, clientId: string, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: config.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 3_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        kafkaLogger[LEVEL[level] ?? 'info'](extra, message);
      },
  });
}
