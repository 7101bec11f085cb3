// `pnpm acl:apply`: make the service principals' ACLs on KAFKA_BROKERS exactly those of ACL.md
// (src/acl.ts). Idempotent. Run it as a principal allowed to alter the cluster's ACLs.
import pino from 'pino';
import { syncAcls } from '../acl';
import { createKafka, loadKafkaConfig } from '../kafka';

async function main(): Promise<void> {
  const config = loadKafkaConfig(process.env);
  const admin = createKafka(config, 'coffeebuddy-provisioner', pino({ level: 'warn' })).admin();
  await admin.connect();
  try {
    const report = await syncAcls(admin);
    for (const acl of report.deleted)
      console.log(`[acls] deleted   ${acl.principal} operation ${acl.operation} on ${acl.resourceName}`);
    console.log(
      `[acls] ${report.created} created, ${report.deleted.length} deleted, ${report.unchanged} unchanged`,
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: Error & { code?: string; type?: string }) => {
  console.error(`[acls] ${error.code ?? error.type ?? 'ERROR'}: ${error.message}`);
  process.exit(1);
});
