import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type AnyTopicName,
  createKafka,
  principalFor,
  SERVICE_ACCESS,
  type ServiceName,
} from '@coffeebuddy/contracts';
import {
  kafkaTestConfig,
  saslTestSetup,
  serviceKafkaEnv,
  startGroupAtEnd,
  uniqueGroup,
  waitFor,
} from '@coffeebuddy/contracts/testing';
import { createTestDatabase, type TestDatabase } from '@coffeebuddy/db/testing';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  type Kafka,
  ResourcePatternTypes,
} from 'kafkajs';
import pino from 'pino';
import { appNames, packageDir, ROOT, readText } from '../src/repo';

// Each production bundle (turbo build ran first: this package's test depends on ^build) copied
// out of the repository, where no node_modules can be found, and started with `node` alone
// (NODE_ENV=production, PATH holding only Node) against the real PostgreSQL, Kafka and registry:
// the provisioning job migrates a fresh database, then every service starts as its own Kafka
// principal on the SCRAM listener, becomes ready, serves /metrics and stops cleanly on SIGTERM.

const kafkaConfig = kafkaTestConfig();
const sasl = saslTestSetup();
const scratch = mkdtempSync(path.join(tmpdir(), 'bundles-'));
let database: TestDatabase;
let kafka: Kafka;
let admin: Admin;

interface BundleProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** Copies a deployable's dist/ out of the repository. */
function copyBundle(name: string): string {
  const dist = path.join(ROOT, packageDir(name), 'dist');
  if (!existsSync(dist))
    throw new Error(`${dist} is missing: run pnpm build (turbo builds it before this test)`);
  const dir = path.join(scratch, name);
  cpSync(dist, dir, { recursive: true });
  return dir;
}

/** `node <entry>` in `dir` with only `env` (and Node on PATH); stdout's JSON lines are kept. */
function startBundle(dir: string, args: string[], env: Record<string, string>): BundleProcess {
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { PATH: path.dirname(process.execPath), NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  const keep = (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts.filter(Boolean)) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

/** The address a bundle logged it listens on (the gateway's address, a worker's opsUrl, the emulator's baseUrl). */
const listening = (bundle: BundleProcess) =>
  waitFor(
    () => {
      if (bundle.child.exitCode !== null)
        throw new Error(`exited early: ${JSON.stringify(bundle.lines.slice(-5))}`);
      const line = bundle.lines.find((l) => l.address || l.opsUrl || l.baseUrl);
      return (line?.address ?? line?.opsUrl ?? line?.baseUrl) as string | undefined;
    },
    'the bundle to listen',
    60_000,
  );

/** The images' HEALTHCHECK command (the runtime stage's), as `node` arguments. */
function imageHealthcheck(): string[] {
  const match = /^HEALTHCHECK [^\n]*\\\n\s+CMD (\[.*\])$/m.exec(readText('Dockerfile'));
  if (!match?.[1]) throw new Error('no HEALTHCHECK CMD in the Dockerfile');
  const [node, ...args] = JSON.parse(match[1]) as string[];
  if (node !== 'node') throw new Error(`the HEALTHCHECK runs ${node}, not node`);
  return args;
}

/** Runs the image's HEALTHCHECK with (part of) the container's environment; resolves its exit code. */
function healthcheck(env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, imageHealthcheck(), {
      env: { PATH: path.dirname(process.execPath), ...env },
    });
    child.once('exit', (code) => resolve(code));
  });
}

async function stopBundle(bundle: BundleProcess): Promise<number | null> {
  if (bundle.child.exitCode === null) bundle.child.kill('SIGTERM');
  return bundle.exited;
}

function runToEnd(dir: string, args: string[], env: Record<string, string>) {
  const bundle = startBundle(dir, args, env);
  return bundle.exited.then((code) => ({ code, lines: bundle.lines }));
}

const groupAcl = (service: ServiceName, groupId: string) => ({
  principal: principalFor(service),
  host: '*',
  resourceType: AclResourceTypes.GROUP,
  resourceName: groupId,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  operation: AclOperationTypes.READ,
  permissionType: AclPermissionTypes.ALLOW,
});

beforeAll(async () => {
  // Nothing above the scratch folder may hold dependencies the bundles could fall back on.
  for (let dir = scratch; dir !== path.dirname(dir); dir = path.dirname(dir))
    expect(existsSync(path.join(dir, 'node_modules')) ? dir : 'none').toBe('none');
  database = await createTestDatabase();
  kafka = createKafka(kafkaConfig, 'bundles-test', pino({ level: 'error' }));
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await database?.drop();
});

describe('provision bundle', () => {
  const env = () => ({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafkaConfig.brokers.join(','),
    SCHEMA_REGISTRY_URL: kafkaConfig.schemaRegistryUrl,
    KAFKA_ENVIRONMENT: 'local',
  });

  it('migrates a new database, provisions topics, ACLs and schemas, and changes nothing the second time', async () => {
    const dir = copyBundle('provision');
    const migrations = readdirSync(path.join(ROOT, 'prisma', 'migrations'), { withFileTypes: true }).filter(
      (e) => e.isDirectory(),
    ).length;
    const first = await runToEnd(dir, ['provision.js', 'migrate', 'topics', 'acls', 'schemas'], env());
    expect({ code: first.code, fatal: first.lines.filter((l) => l.level === 'fatal') }).toEqual({
      code: 0,
      fatal: [],
    });
    expect(first.lines.find((l) => l.msg === 'migrate done')?.applied).toHaveLength(migrations);
    expect(first.lines.find((l) => l.msg === 'provisioning done')).toBeDefined();

    const again = await runToEnd(dir, ['provision.js', 'migrate', 'topics', 'acls', 'schemas'], env());
    expect(again.code).toBe(0);
    expect(again.lines.find((l) => l.msg === 'migrate done')).toMatchObject({
      applied: [],
      alreadyApplied: migrations,
    });
    expect(again.lines.find((l) => l.msg === 'topics done')).toMatchObject({ created: [], updated: [] });
    expect(again.lines.find((l) => l.msg === 'acls done')).toMatchObject({ created: 0, deleted: 0 });
  });

  it('exits 1 with one line naming the step and the reason', async () => {
    const dir = path.join(scratch, 'provision');
    const unknown = await runToEnd(dir, ['provision.js', 'migrate', 'seed'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.lines.filter((l) => l.level === 'fatal')).toEqual([
      expect.objectContaining({ step: 'arguments', code: 'USAGE', err: expect.stringContaining('"seed"') }),
    ]);
    const unreachable = await runToEnd(dir, ['provision.js', 'migrate'], {
      DATABASE_URL: 'postgresql://nobody:secret@127.0.0.1:1/none',
    });
    expect(unreachable.code).toBe(1);
    const fatal = unreachable.lines.find((l) => l.level === 'fatal');
    expect(fatal).toMatchObject({ step: 'migrate', code: 'MIGRATION_FAILED' });
    expect(JSON.stringify(unreachable.lines)).not.toContain('secret');
  });
});

describe.each(appNames())('%s bundle', (app) => {
  const service = app as ServiceName;
  const access = SERVICE_ACCESS[service];
  let groupId: string | undefined;

  beforeAll(async () => {
    if (access.consumes.length === 0) return;
    // A group of its own, at the end of its topics, which its principal may use for this test.
    groupId = uniqueGroup(`bundle-${app}`);
    await startGroupAtEnd(kafka, groupId, access.consumes as AnyTopicName[]);
    await admin.createAcls({ acl: [groupAcl(service, groupId)] });
  });

  afterAll(async () => {
    if (groupId) await admin.deleteAcls({ filters: [groupAcl(service, groupId)] });
  });

  it('starts with node alone as its own Kafka principal, is ready, serves /metrics, stops cleanly on SIGTERM', async () => {
    const dir = copyBundle(app);
    const bundle = startBundle(dir, ['server.js'], {
      DATABASE_URL: database.url,
      ...serviceKafkaEnv(sasl, service),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      HOST: '127.0.0.1',
      PORT: '0',
      OPS_HOST: '127.0.0.1',
      OPS_PORT: '0',
      ...(groupId ? { CONSUMER_GROUP: groupId } : {}),
    });
    try {
      const url = await listening(bundle);
      await waitFor(
        async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 || undefined,
        `${app} to be ready (${url}/readyz)`,
        60_000,
      );
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^coffeebuddy_process_resident_memory_bytes/m);
      // The image's HEALTHCHECK, with the port variable the image sets for this service.
      const port = new URL(url).port;
      expect(await healthcheck(app === 'slack-gateway' ? { PORT: port } : { OPS_PORT: port })).toBe(0);
      expect(await healthcheck({ OPS_PORT: '9' })).toBe(1);
    } finally {
      const code = await stopBundle(bundle);
      // kafkajs logs a fresh broker's "coordinator is loading" retries as errors; ours must be none.
      const errors = bundle.lines.filter(
        (l) => (l.level === 'error' || l.level === 'fatal') && l.component !== 'kafkajs',
      );
      expect({ code, errors }).toEqual({ code: 0, errors: [] });
    }
  });
});

describe('slack-emulator bundle', () => {
  it('serves the Web API with node alone and stops on SIGTERM', async () => {
    const bundle = startBundle(copyBundle('slack-emulator'), ['server.js'], {
      SLACK_EMULATOR_HOST: '127.0.0.1',
      SLACK_EMULATOR_PORT: '0',
    });
    try {
      const url = await listening(bundle);
      const response = await fetch(`${url}/api/api.test`, { method: 'POST' });
      expect(await response.json()).toMatchObject({ ok: true });
      const port = new URL(url).port;
      expect(await healthcheck({ SLACK_EMULATOR_PORT: port, HEALTHCHECK_PATH: '/_emulator/calls' })).toBe(0);
    } finally {
      expect(await stopBundle(bundle)).toBe(0);
    }
  });
});
