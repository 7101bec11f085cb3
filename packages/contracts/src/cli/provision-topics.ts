// `pnpm topics:provision`: create or update every topic for KAFKA_ENVIRONMENT. Idempotent.
import pino from 'pino';
import { provisionTopics } from '../admin';
import { createKafka, loadKafkaConfig } from '../kafka';

async function main(): Promise<void> {
  const config = loadKafkaConfig(process.env);
  const logger = pino({ level: 'warn' });
  const admin = createKafka(config, 'coffeebuddy-provisioner', logger).admin();
  await admin.connect();
  try {
    const report = await provisionTopics(admin, config.environment);
    for (const topic of report.created) console.log(`[topics] created   ${topic}`);
    for (const { topic, changes } of report.updated)
      console.log(`[topics] updated   ${topic}: ${changes.join(', ')}`);
    for (const topic of report.unchanged) console.log(`[topics] unchanged ${topic}`);
    for (const warning of report.warnings) console.warn(`[topics] WARNING   ${warning}`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: Error & { code?: string }) => {
  console.error(`[topics] ${error.code ?? 'ERROR'}: ${error.message}`);
  process.exit(1);
});
