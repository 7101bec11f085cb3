import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createKafka, provisionTopics, SERVICE_ACCESS } from '@coffeebuddy/contracts';
import { kafkaTestConfig, startGroupAtEnd, uniqueGroup } from '@coffeebuddy/contracts/testing';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import {
  createSlackEmulator,
  registerWorkspacePage,
  type SlackEmulator,
  type WorkspacePage,
} from '@coffeebuddy/slack-emulator';
import pino from 'pino';
import { databaseSecrets, findSecrets, type KnownSecret, type SecretFinding } from './secrets';

/**
 * A whole CoffeeBuddy stack for one test file: a fresh database, the real slack-gateway,
 * runs-service, orders-service, admin-service and reminder-worker processes (started exactly as in production,
 * from their server.ts), consumer groups of their own starting at the end of the topics, and the
 * Slack emulator in this process so tests can read every Web API call.
 */

const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Parsed JSON log lines. */
  logs: Record<string, unknown>[];
  /** Every line it printed, as printed (for the secrets scan). */
  lines: string[];
  /** Where its ops server (or the gateway) answers /healthz, /readyz and /metrics. */
  opsUrl?: string;
}

/** The services a stack runs (each may have several processes: replicas, restarts). */
export type ServiceName =
  | 'runs-service'
  | 'orders-service'
  | 'admin-service'
  | 'reminder-worker'
  | 'slack-gateway';

export interface StackOptions {
  oauth?: boolean;
  /** Also start the emulator's workspace page, connected to the gateway (`stack.page`). */
  page?: boolean;
  /** Extra environment per service (e.g. a short EFFECT_LEASE_MS). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /**
   * Run the services from their production bundles (apps/<service>/dist/server.js, built by
   * `scripts/bundle.mjs`; the caller builds them) with plain `node`, as the images do, instead
   * of from TypeScript through tsx. The benchmarks use it.
   */
  bundled?: boolean;
  /** Extra Node.js flags per service (e.g. `--cpu-prof`). */
  nodeArgs?: Partial<Record<ServiceName, string[]>>;
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
  /** The emulator's workspace page, connected to the gateway (with `startStack({ page: true })`). */
  page?: WorkspacePage;
  logsContaining(text: string): Record<string, unknown>[];
  /**
   * Where a secret the stack gave its services (signing, client and state secrets, the encryption
   * key, database credentials) or Slack issued (bot tokens) appears in what they printed so far.
   */
  secretsInLogs(): SecretFinding[];
  /** Stops every process of a service (SIGTERM, or the signal given) and waits for them to exit. */
  stopService(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts one more process of a service (a replica, or a restart), with its own ops port and the
   * stack's environment plus `env`; waits until it is ready.
   */
  startService(name: ServiceName, env?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/** The kernel's range for the local ports of outgoing connections (Linux; 32768–60999 by default). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return [Number(low), Number(high)];
  } catch {
    return [32768, 60999];
  }
}

/** Whether a port can be listened on at 127.0.0.1 right now. */
function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port for a process to listen on a moment later. Not one the kernel hands out (port 0): those
 * come from the range it also gives outgoing connections, so between our check and the service's
 * bind another connection of this busy machine (a database pool, a Kafka client, a second test
 * run) could take it — a service then died at start-up with EADDRINUSE. A random free port below
 * that range is never taken that way.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const floor = 10_000;
  const ceiling = low > floor + 1_000 ? low : 65_535;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = floor + Math.floor(Math.random() * (ceiling - floor));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${floor} and ${ceiling} after 100 tries`);
}

function startService(
  name: string,
  entry: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ServiceProcess {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const printed: string[] = [];
  let buffer = '';
  const collect = (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      printed.push(line);
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ raw: line });
      }
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { name, child, logs, lines: printed };
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
  'admin-service': 'apps/admin-service/src/server.ts',
  'reminder-worker': 'apps/reminder-worker/src/server.ts',
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
  // Every topic each service consumes (SERVICE_ACCESS): a group of its own sees only this stack's messages.
  await startGroupAtEnd(kafka, consumerGroup, [...SERVICE_ACCESS['runs-service'].consumes]);
  const ordersGroup = uniqueGroup('e2e-orders');
  await startGroupAtEnd(kafka, ordersGroup, [...SERVICE_ACCESS['orders-service'].consumes]);
  const adminGroup = uniqueGroup('e2e-admin');
  await startGroupAtEnd(kafka, adminGroup, [...SERVICE_ACCESS['admin-service'].consumes]);
  const remindersGroup = uniqueGroup('e2e-reminders');
  await startGroupAtEnd(kafka, remindersGroup, [...SERVICE_ACCESS['reminder-worker'].consumes]);

  const botToken = `xoxb-1000000000001-${randomBytes(6).toString('hex')}`;
  const clientSecret = `emulator-client-secret-${randomBytes(6).toString('hex')}`;
  const emulator = createSlackEmulator({ botToken, clientSecret });
  const page = options.page ? registerWorkspacePage(emulator) : undefined;
  await emulator.start();
  const signingSecret = randomBytes(16).toString('hex');
  const encryptionKey = randomBytes(32).toString('base64');
  const gatewayPort = await freePort();
  const opsPort = await freePort();
  const ordersOpsPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const stateSecret = randomBytes(16).toString('hex');
  const secrets: KnownSecret[] = [
    { name: 'the signing secret', value: signingSecret },
    { name: 'the token encryption key', value: encryptionKey },
    { name: 'the OAuth client secret', value: clientSecret },
    { name: 'the OAuth state secret', value: stateSecret },
    { name: 'the bot token', value: botToken },
  ];
  page?.connect({ url: gatewayUrl, signingSecret });
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
    'admin-service': {
      ...common,
      OPS_HOST: '127.0.0.1',
      CONSUMER_GROUP: adminGroup,
      EFFECTS_INTERVAL_MS: '200',
      ...options.env?.['admin-service'],
    },
    'reminder-worker': {
      ...common,
      OPS_HOST: '127.0.0.1',
      CONSUMER_GROUP: remindersGroup,
      REMINDER_WAIT_FOR_CLOSE_MS: '500',
      ...options.env?.['reminder-worker'],
    },
    'slack-gateway': {
      ...common,
      SLACK_SIGNING_SECRET: signingSecret,
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      PUBLIC_URL: gatewayUrl,
      SLACK_CLIENT_ID: '1000000000001.1000000000001',
      SLACK_CLIENT_SECRET: clientSecret,
      SLACK_STATE_SECRET: stateSecret,
      SLACK_AUTHORIZE_URL: `${emulator.baseUrl}/oauth/v2/authorize`,
      ...options.env?.['slack-gateway'],
    },
  };
  /** Starts a process of a service; workers get a fresh ops port each (replicas side by side). */
  const entryOf = (name: ServiceName) =>
    options.bundled ? ENTRIES[name].replace(/src\/server\.ts$/, 'dist/server.js') : ENTRIES[name];
  async function launch(
    name: ServiceName,
    opsPort?: number,
    env: Record<string, string> = {},
  ): Promise<{ process: ServiceProcess; readyUrl: string }> {
    if (name === 'slack-gateway') {
      const process = startService(name, entryOf(name), { ...envOf[name], ...env }, options.nodeArgs?.[name]);
      process.opsUrl = gatewayUrl;
      return { process, readyUrl: `${gatewayUrl}/readyz` };
    }
    const port = opsPort ?? (await freePort());
    const process = startService(
      name,
      entryOf(name),
      { ...envOf[name], OPS_PORT: String(port), ...env },
      options.nodeArgs?.[name],
    );
    process.opsUrl = `http://127.0.0.1:${port}`;
    return { process, readyUrl: `${process.opsUrl}/readyz` };
  }
  const runs = await launch('runs-service', opsPort);
  const orders = await launch('orders-service', ordersOpsPort);
  const adminService = await launch('admin-service');
  const reminders = await launch('reminder-worker');
  const gateway = await launch('slack-gateway');
  const services = [runs.process, orders.process, adminService.process, reminders.process, gateway.process];
  const stack: Stack = {
    database,
    emulator,
    gatewayUrl,
    signingSecret,
    encryptionKey,
    botToken,
    consumerGroup,
    services,
    ...(page ? { page } : {}),
    logsContaining: (text) => services.flatMap((s) => s.logs.filter((l) => JSON.stringify(l).includes(text))),
    secretsInLogs: () =>
      findSecrets(
        services.map((s) => ({ service: s.name, lines: s.lines })),
        [
          ...secrets,
          ...databaseSecrets(database.url),
          ...[...emulator.state.tokens.keys()].map((value) => ({ name: 'a Slack token', value })),
        ],
      ),
    async stopService(name, signal) {
      await Promise.all(services.filter((s) => s.name === name).map((s) => stopProcess(s, signal)));
    },
    async startService(name, env) {
      const started = await launch(name, undefined, env);
      services.push(started.process);
      await waitUntilReady(started.readyUrl, started.process);
      return started.process;
    },
    /** Stops everything; then fails (naming secret, service and line, never the value) if a
     * secret was in any service's output. */
    async stop() {
      await Promise.all(services.map((s) => stopProcess(s)));
      const leaked = stack.secretsInLogs();
      await emulator.stop();
      await database.drop();
      if (leaked.length > 0) {
        throw new Error(
          `secrets in service logs: ${leaked.map((f) => `${f.secret} in ${f.service} line ${f.line}`).join('; ')}`,
        );
      }
    },
  };
  try {
    await waitUntilReady(gateway.readyUrl, gateway.process);
    await waitUntilReady(runs.readyUrl, runs.process);
    await waitUntilReady(orders.readyUrl, orders.process);
    await waitUntilReady(adminService.readyUrl, adminService.process);
    await waitUntilReady(reminders.readyUrl, reminders.process);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
