import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createKafka, provisionTopics, TOPICS } from '@coffeebuddy/contracts';
import { kafkaTestConfig, startGroupAtEnd, uniqueGroup } from '@coffeebuddy/contracts/testing';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import { createSlackEmulator, type SlackEmulator } from '@coffeebuddy/slack-emulator';
import pino from 'pino';

/**
 * A whole CoffeeBuddy stack for one test file: a fresh database, the real slack-gateway and
 * runs-service processes (started exactly as in production, from their server.ts), a consumer
 * group of their own starting at the end of the topics, and the Slack emulator in this process
 * so tests can read every Web API call.
 */

const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Parsed JSON log lines. */
  logs: Record<string, unknown>[];
}

/** The services a stack runs (each may have several processes: replicas, restarts). */
export type ServiceName = 'runs-service' | 'orders-service' | 'slack-gateway';

export interface StackOptions {
  oauth?: boolean;
  /** Extra environment per service (e.g. a short EFFECT_LEASE_MS). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}

export interface Stack {
  database: TestDatabase;
  emulator: SlackEmulator;
  gatewayUrl: string;
  signingSecret: string;
  encryptionKey: string;
  botToken: string;
  consumerGroup: string;
  services: ServiceProcess[];
  logsContaining(text: string): Record<string, unknown>[];
  /** Stops every process of a service (SIGTERM, or the signal given) and waits for them to exit. */
  stopService(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts one more process of a service (a replica, or a restart), with its own ops port and the
   * stack's environment plus `env`; waits until it is ready.
   */
  startService(name: ServiceName, env?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function startService(name: string, entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let buffer = '';
  const collect = (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ raw: line });
      }
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { name, child, logs };
}

async function waitUntilReady(url: string, service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(`${service.name} exited during start-up: ${JSON.stringify(service.logs.slice(-5))}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${service.name} not ready after ${timeoutMs} ms: ${JSON.stringify(service.logs.slice(-5))}`,
  );
}

function stopProcess(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise<void>((resolve) => {
    if (service.child.exitCode !== null || service.child.signalCode !== null) return resolve();
    service.child.once('exit', () => resolve());
    service.child.kill(signal);
  });
}

const ENTRIES: Record<ServiceName, string> = {
  'runs-service': 'apps/runs-service/src/server.ts',
  'orders-service': 'apps/orders-service/src/server.ts',
  'slack-gateway': 'apps/slack-gateway/src/server.ts',
};

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const kafkaConfig = kafkaTestConfig();
  const database = await createTestDatabase({ migrated: true });
  const kafka = createKafka(kafkaConfig, 'e2e-setup', pino({ level: 'error' }));
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, 'local');
  await admin.disconnect();
  const consumerGroup = uniqueGroup('e2e-runs');
  await startGroupAtEnd(kafka, consumerGroup, [TOPICS.runCommands]);
  const ordersGroup = uniqueGroup('e2e-orders');
  await startGroupAtEnd(kafka, ordersGroup, [TOPICS.orderCommands]);

  const botToken = `xoxb-1000000000001-${randomBytes(6).toString('hex')}`;
  const emulator = createSlackEmulator({ botToken });
  await emulator.start();
  const signingSecret = randomBytes(16).toString('hex');
  const encryptionKey = randomBytes(32).toString('base64');
  const gatewayPort = await freePort();
  const opsPort = await freePort();
  const ordersOpsPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const common = {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafkaConfig.brokers.join(','),
    SCHEMA_REGISTRY_URL: kafkaConfig.schemaRegistryUrl,
    SLACK_API_URL: emulator.apiUrl,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    SLACK_BOT_TOKEN: options.oauth ? '' : botToken,
    LOG_LEVEL: 'info',
  };
  const envOf: Record<ServiceName, Record<string, string>> = {
    'runs-service': {
      ...common,
      OPS_HOST: '127.0.0.1',
      CONSUMER_GROUP: consumerGroup,
      EFFECTS_INTERVAL_MS: '200',
      ...options.env?.['runs-service'],
    },
    'orders-service': {
      ...common,
      OPS_HOST: '127.0.0.1',
      CONSUMER_GROUP: ordersGroup,
      EFFECTS_INTERVAL_MS: '200',
      ...options.env?.['orders-service'],
    },
    'slack-gateway': {
      ...common,
      SLACK_SIGNING_SECRET: signingSecret,
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      PUBLIC_URL: gatewayUrl,
      SLACK_CLIENT_ID: '1000000000001.1000000000001',
      SLACK_CLIENT_SECRET: 'emulator-client-secret',
      SLACK_STATE_SECRET: randomBytes(16).toString('hex'),
      SLACK_AUTHORIZE_URL: `${emulator.baseUrl}/oauth/v2/authorize`,
      ...options.env?.['slack-gateway'],
    },
  };
  /** Starts a process of a service; workers get a fresh ops port each (replicas side by side). */
  async function launch(
    name: ServiceName,
    opsPort?: number,
    env: Record<string, string> = {},
  ): Promise<{ process: ServiceProcess; readyUrl: string }> {
    if (name === 'slack-gateway') {
      return {
        process: startService(name, ENTRIES[name], { ...envOf[name], ...env }),
        readyUrl: `${gatewayUrl}/readyz`,
      };
    }
    const port = opsPort ?? (await freePort());
    return {
      process: startService(name, ENTRIES[name], { ...envOf[name], OPS_PORT: String(port), ...env }),
      readyUrl: `http://127.0.0.1:${port}/readyz`,
    };
  }
  const runs = await launch('runs-service', opsPort);
  const orders = await launch('orders-service', ordersOpsPort);
  const gateway = await launch('slack-gateway');
  const services = [runs.process, orders.process, gateway.process];
  const stack: Stack = {
    database,
    emulator,
    gatewayUrl,
    signingSecret,
    encryptionKey,
    botToken,
    consumerGroup,
    services,
    logsContaining: (text) => services.flatMap((s) => s.logs.filter((l) => JSON.stringify(l).includes(text))),
    async stopService(name, signal) {
      await Promise.all(services.filter((s) => s.name === name).map((s) => stopProcess(s, signal)));
    },
    async startService(name, env) {
      const started = await launch(name, undefined, env);
      services.push(started.process);
      await waitUntilReady(started.readyUrl, started.process);
      return started.process;
    },
    async stop() {
      await Promise.all(services.map((s) => stopProcess(s)));
      await emulator.stop();
      await database.drop();
    },
  };
  try {
    await waitUntilReady(gateway.readyUrl, gateway.process);
    await waitUntilReady(runs.readyUrl, runs.process);
    await waitUntilReady(orders.readyUrl, orders.process);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
