import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The schema is the repository's one schema; the generated client lives in this package.
// `prisma generate` needs no database. Migrations are applied by `pnpm db:migrate`
// (src/migrate.ts) because the CLI's schema engine cannot be downloaded everywhere;
// where it can, `prisma migrate deploy` applies the same folder.
export default defineConfig({
  schema: path.join(__dirname, '..', '..', 'prisma', 'schema.prisma'),
  migrations: {
    path: path.join(__dirname, '..', '..', 'prisma', 'migrations'),
  },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/coffeebuddy',
  },
});
