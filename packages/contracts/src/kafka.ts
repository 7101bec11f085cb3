import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
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
  /** SASL authentication as the service's own principal; absent: no SASL (PLAINTEXT or SSL). */
  sasl?: KafkaSaslConfig;
  /** TLS to the brokers; absent: plaintext. */
  ssl?: KafkaSslConfig;
}

/** SASL mechanisms the clients speak (kafkajs names them this way; Kafka's are upper-case). */
export const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSaslConfig {
  mechanism: SaslMechanism;
  username: string;
  /** The password, or where to read it (a mounted Secret or a Vault agent file). */
  password: { value: string } | { file: string };
}

export interface KafkaSslConfig {
  /** PEM file of the CA(s) that signed the brokers' certificates; absent: Node's bundled CAs. */
  caFile?: string;
}

/**
 * Reads the Kafka settings from an environment (normally `process.env`):
 *
 * - `KAFKA_BROKERS` (required): comma-separated `host:port` bootstrap list.
 * - `SCHEMA_REGISTRY_URL` (required), `KAFKA_ENVIRONMENT` (`local` | `production`, default local).
 * - `KAFKA_SASL_MECHANISM`: `SCRAM-SHA-256` or `SCRAM-SHA-512` (Kafka's SASL/SCRAM, KIP-84);
 *   unset or empty: no SASL. With it, `KAFKA_SASL_USERNAME` and exactly one of
 *   `KAFKA_SASL_PASSWORD` / `KAFKA_SASL_PASSWORD_FILE` (the file is read again for every new
 *   connection, so a rotated password is used without a restart; a trailing newline is ignored).
 * - `KAFKA_SSL`: `true` for TLS (certificates are always verified), `false`/unset for plaintext;
 *   `KAFKA_SSL_CA_FILE`: PEM bundle of the brokers' CA, when it is not a public one.
 *
 * Throws ContractError (`INVALID_CONFIG`, or `REGISTRY_ERROR` for the first two) naming the
 * variable; never puts a password in the message.
 */
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
  const sasl = loadSasl(env);
  const ssl = loadSsl(env);
  return { brokers, schemaRegistryUrl, environment, ...(sasl ? { sasl } : {}), ...(ssl ? { ssl } : {}) };
}

const invalid = (message: string) => new ContractError('INVALID_CONFIG', message);
const setting = (env: Record<string, string | undefined>, name: string) => env[name]?.trim() || undefined;

function loadSasl(env: Record<string, string | undefined>): KafkaSaslConfig | undefined {
  const rawMechanism = setting(env, 'KAFKA_SASL_MECHANISM');
  const username = setting(env, 'KAFKA_SASL_USERNAME');
  const password = env.KAFKA_SASL_PASSWORD || undefined;
  const passwordFile = setting(env, 'KAFKA_SASL_PASSWORD_FILE');
  if (!rawMechanism) {
    if (username || password || passwordFile)
      throw invalid(
        'KAFKA_SASL_USERNAME/PASSWORD are set but KAFKA_SASL_MECHANISM is not (SCRAM-SHA-256 or SCRAM-SHA-512)',
      );
    return undefined;
  }
  const mechanism = rawMechanism.toLowerCase();
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
    throw invalid(`KAFKA_SASL_MECHANISM must be SCRAM-SHA-256 or SCRAM-SHA-512, got "${rawMechanism}"`);
  if (!username) throw invalid(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=${rawMechanism}`);
  if (password && passwordFile)
    throw invalid('set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
  if (passwordFile) {
    readSecretFile(passwordFile, 'KAFKA_SASL_PASSWORD_FILE'); // fail at start-up, not at the first connection
    return { mechanism: mechanism as SaslMechanism, username, password: { file: passwordFile } };
  }
  if (!password)
    throw invalid(
      `KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM=${rawMechanism}`,
    );
  return { mechanism: mechanism as SaslMechanism, username, password: { value: password } };
}

function loadSsl(env: Record<string, string | undefined>): KafkaSslConfig | undefined {
  const flag = (setting(env, 'KAFKA_SSL') ?? 'false').toLowerCase();
  const caFile = setting(env, 'KAFKA_SSL_CA_FILE');
  if (!['true', 'false'].includes(flag))
    throw invalid(`KAFKA_SSL must be true or false, got "${env.KAFKA_SSL}"`);
  if (flag === 'false') {
    if (caFile) throw invalid('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true');
    return undefined;
  }
  if (caFile) readSecretFile(caFile, 'KAFKA_SSL_CA_FILE');
  return caFile ? { caFile } : {};
}

function readSecretFile(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw invalid(
      `cannot read ${variable} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** kafkajs SASL options; a password file is read on every authentication (new connection). */
function saslOptions(sasl: KafkaSaslConfig): SASLOptions {
  const { password } = sasl;
  if ('value' in password)
    return { mechanism: sasl.mechanism, username: sasl.username, password: password.value };
  // kafkajs keeps this object and reads `password` each time a connection authenticates.
  return {
    mechanism: sasl.mechanism,
    username: sasl.username,
    get password() {
      return readSecretFile(password.file, 'KAFKA_SASL_PASSWORD_FILE');
    },
  } as SASLOptions;
}

const LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose own logs go through the service's pino logger, authenticating and
 * encrypting as `config.sasl` / `config.ssl` say (TLS always verifies the brokers' certificates).
 */
export function createKafka(
  config: Pick<KafkaConfig, 'brokers' | 'sasl' | 'ssl'>,
  clientId: string,
  logger: Logger,
): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  const ssl = config.ssl;
  return new Kafka({
    clientId,
    brokers: config.brokers,
    ...(ssl ? { ssl: ssl.caFile ? { ca: [readSecretFile(ssl.caFile, 'KAFKA_SSL_CA_FILE')] } : true } : {}),
    ...(config.sasl ? { sasl: saslOptions(config.sasl) } : {}),
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
