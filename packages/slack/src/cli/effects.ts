// `pnpm --filter @coffeebuddy/slack effects list [--status failed] [--kind k] [--run <uuid>] [--limit 50]`
// `pnpm --filter @coffeebuddy/slack effects redrive <effect id>... | --failed [--kind k]`
//
// For operators: what Slack effects are waiting, sent or failed (and why), and asking again for
// failed ones once the cause is fixed (the deliverers of the running services pick them up).
// Reads DATABASE_URL (and DATABASE_CREDENTIALS_FILE) like the services.
import { createDb, loadDbConfig } from '@coffeebuddy/db';
import { redriveEffects } from '../effects/store';

const USAGE =
  'usage: effects list [--status pending|sending|sent|failed|cancelled] [--kind <kind>] [--run <run id>] [--limit <n>]\n' +
  '       effects redrive <effect id>... | --failed [--kind <kind>]';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const db = await createDb(loadDbConfig(process.env));
  try {
    if (command === 'list') {
      const status = option(args, '--status');
      const kind = option(args, '--kind');
      const runId = option(args, '--run');
      const effects = await db.slackEffect.findMany({
        where: {
          ...(status ? { status: status as never } : {}),
          ...(kind ? { kind } : {}),
          ...(runId ? { runId } : {}),
        },
        orderBy: { updatedAt: 'desc' },
        take: Number(option(args, '--limit') ?? 50),
      });
      if (effects.length === 0) console.log('[effects] none');
      for (const e of effects) {
        console.log(
          `${e.id}  ${e.status.padEnd(9)} ${e.kind.padEnd(20)} attempts ${e.attempts}  due ${e.dueAt.toISOString()}  ` +
            `${e.runId ? `run ${e.runId}  ` : ''}correlation ${e.correlationId}${e.lastError ? `  last error: ${e.lastError}` : ''}`,
        );
      }
      return;
    }
    if (command === 'redrive') {
      const ids = args.filter((a) => !a.startsWith('--') && a !== option(args, '--kind'));
      const failedKind = option(args, '--kind');
      const count = args.includes('--failed')
        ? await redriveEffects(db, { allFailed: true, ...(failedKind ? { failedKind } : {}) })
        : await redriveEffects(db, { ids });
      if (!args.includes('--failed') && ids.length === 0) throw new Error(USAGE);
      console.log(`[effects] asked again for ${count} effect(s); the services deliver them now`);
      return;
    }
    throw new Error(USAGE);
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`[effects] ${error.message}`);
  process.exit(1);
});
