// `pnpm schemas:register`: register every message schema in SCHEMA_REGISTRY_URL. Idempotent;
// fails with SCHEMA_INCOMPATIBLE when a changed schema would break compatibility.
import { loadKafkaConfig } from '../kafka';
import { MessageRegistry } from '../registry';

async function main(): Promise<void> {
  const config = loadKafkaConfig(process.env);
  const ids = await new MessageRegistry(config.schemaRegistryUrl).registerAll();
  if (process.argv.includes('--verbose'))
    for (const [subject, id] of ids) console.log(`[schemas] ${subject} → id ${id}`);
  console.log(
    `[schemas] ${ids.size} message schemas registered in ${config.schemaRegistryUrl} (BACKWARD compatibility)`,
  );
}

main().catch((error: Error & { code?: string }) => {
  console.error(`[schemas] ${error.code ?? 'ERROR'}: ${error.message}`);
  process.exit(1);
});
