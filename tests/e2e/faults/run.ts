import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createKafka } from '@coffeebuddy/contracts';
import { kafkaTestConfig } from '@coffeebuddy/contracts/testing';
import { createSlackDriver } from '@coffeebuddy/slack-emulator';
import pg from 'pg';
import pino from 'pino';
import { startStack } from '../src/stack';
import { brokerKill } from './broker-kill';
import { consumerKills } from './consumer-kill';
import { type FaultContext, type Figure, figure, formatTable, type Scenario, zero } from './harness';
import { hostileRequests } from './hostile';
import { postgresRestart } from './postgres-restart';
import { slackChaos } from './slack-chaos';

/**
 * The fault-injection and hostile-input suite (`pnpm test:faults [--soak] [--only a,b]`): one
 * stack of the real processes (gateway, services, Kafka, PostgreSQL, the Slack emulator), then
 * each scenario in turn, then one table of figures. Exits 1 when any promise in the table was
 * broken (or a scenario could not finish), so the test command fails.
 */

const SCENARIOS: Record<string, Scenario> = {
  hostile: hostileRequests,
  'slack-chaos': slackChaos,
  'consumer-kill': consumerKills,
  'broker-kill': brokerKill,
  'postgres-restart': postgresRestart,
};

const repoRoot = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const soak = args.includes('--soak');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : Object.keys(SCENARIOS);
  const unknown = only.filter((name) => !SCENARIOS[name]);
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    return 2;
  }
  const began = Date.now();
  const log = (message: string) =>
    console.log(`[faults +${((Date.now() - began) / 1000).toFixed(0).padStart(3)}s] ${message}`);
  // Crashed members are replaced in 10 s, not 30 (handlers must then take at most 5 s); claims of
  // a killed deliverer lapse after 3 s.
  const worker = { KAFKA_SESSION_TIMEOUT_MS: '10000', HANDLER_TIMEOUT_MS: '4000', EFFECT_LEASE_MS: '3000' };
  const stack = await startStack({
    env: {
      'runs-service': worker,
      'orders-service': worker,
      'admin-service': worker,
      'reminder-worker': worker,
    },
  });
  log(`stack up (gateway ${stack.gatewayUrl})`);
  const kafka = createKafka(kafkaTestConfig(), 'faults', pino({ level: 'error' }));
  const admin = kafka.admin();
  await admin.connect();
  const db = new pg.Pool({ connectionString: stack.database.url, max: 8 });
  // A restarted PostgreSQL drops the pool's connections: that is expected here, not a crash.
  db.on('error', () => undefined);
  const context: FaultContext = {
    stack,
    driver: createSlackDriver({
      gatewayUrl: stack.gatewayUrl,
      signingSecret: stack.signingSecret,
      emulator: stack.emulator,
    }),
    db,
    admin,
    soak,
    repoRoot,
    log,
  };
  const figures: Figure[] = [];
  try {
    for (const name of only) {
      const scenario = SCENARIOS[name] as Scenario;
      const started = Date.now();
      log(`${name}: start`);
      try {
        figures.push(...(await scenario(context)));
      } catch (error) {
        figures.push(figure(name, 'finished', `no: ${(error as Error).message.slice(0, 160)}`, 'yes', false));
      }
      figures.push(figure(name, 'duration', `${((Date.now() - started) / 1000).toFixed(1)} s`));
      log(`${name}: done`);
    }
    // After every scenario (errors, refusals, crashes and restarts included): no secret printed.
    const leaked = stack.secretsInLogs();
    figures.push(zero('secrets', 'secrets in service log lines', leaked.length));
    for (const finding of leaked) log(`secret: ${finding.secret} in ${finding.service} line ${finding.line}`);
  } finally {
    await db.end().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await stack.stop().catch(() => undefined);
  }
  const broken = figures.filter((f) => !f.ok);
  console.log(`\nFault-injection and hostile-input suite${soak ? ' (soak)' : ''}: ${only.join(', ')}\n`);
  console.log(formatTable(figures));
  console.log(
    `\nfaults: ${figures.length - broken.length} of ${figures.length} figures kept their promise in ${((Date.now() - began) / 1000).toFixed(0)} s${broken.length ? `; BROKEN: ${broken.map((f) => `${f.scenario} / ${f.figure}`).join('; ')}` : ''}`,
  );
  const artifacts = path.join(repoRoot, '.local', 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(path.join(artifacts, 'faults.json'), `${JSON.stringify({ soak, figures }, null, 2)}\n`);
  // The test command's summary counts these like a package's test results.
  const results = process.env.COFFEEBUDDY_TEST_RESULTS;
  if (results) {
    mkdirSync(results, { recursive: true });
    const promises = figures.filter((f) => f.required !== undefined);
    writeFileSync(
      path.join(results, 'faults.json'),
      JSON.stringify({ passed: promises.filter((f) => f.ok).length, failed: broken.length, skipped: 0 }),
    );
  }
  return broken.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
