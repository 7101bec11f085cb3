// `pnpm db:migrate`: apply prisma/migrations to DATABASE_URL. Safe to run any number of times.
import { loadDbConfig } from '../config';
import { migrate } from '../migrate';

async function main(): Promise<void> {
  const config = loadDbConfig(process.env);
  const result = await migrate(config, { onProgress: (message) => console.log(`[db:migrate] ${message}`) });
  console.log(
    result.applied.length === 0
      ? `[db:migrate] schema up to date (${result.alreadyApplied.length} migrations already applied)`
      : `[db:migrate] applied ${result.applied.length} migration(s); ${result.alreadyApplied.length} were already applied`,
  );
}

main().catch((error: Error & { code?: string }) => {
  console.error(`[db:migrate] ${error.code ?? 'ERROR'}: ${error.message}`);
  process.exit(1);
});
