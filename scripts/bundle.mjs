#!/usr/bin/env node
// Production bundle of one deployable (a service, the Slack emulator, the provisioning job):
// plain CommonJS for Node 24 with every dependency inlined — the workspace packages, the Prisma
// client with its driver adapter and query-compiler WebAssembly (shipped by Prisma 7 as a base64
// JavaScript module, so it bundles like code), fastify, kafkajs, pino — so `node dist/<entry>.js`
// runs from any directory with no node_modules, no tsx and no dev dependencies.
//
//   node ../../scripts/bundle.mjs src/server.ts [src/other.ts ...] [--copy <from>:<to> ...]
//
// Run from the package's folder (its `build` script does). Writes dist/<entry>.js and its source
// map, dist/package.json ({"type":"commonjs"}, so the bundle is CommonJS wherever it is copied)
// and any --copy'd folders (paths relative to the repository root / to dist). Fails when
// something would be left for run time to resolve.
//
// The source map ships beside the bundle but is not loaded by default: NODE_OPTIONS=
// --enable-source-maps maps stack traces back to TypeScript when debugging, at a price measured
// on runs-service (idle RSS 150 → 220-260 MB, start-up several times slower: Node parses the
// 12 MB map at load).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Optional dependencies that libraries load inside a try/catch or only when asked to, and that
 * we never ask for: pg's libpq binding (only with NODE_PG_FORCE_NATIVE / `pg.native`).
 */
const OPTIONAL_EXTERNALS = ['pg-native'];

function parseArgs(argv) {
  const entries = [];
  const copies = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--copy') {
      const spec = argv[++i] ?? '';
      const [from, to] = spec.split(':');
      if (!from || !to) throw new Error(`--copy wants <from>:<to>, got "${spec}"`);
      copies.push({ from: path.resolve(root, from), to });
    } else entries.push(argv[i]);
  }
  if (entries.length === 0) throw new Error('usage: bundle.mjs <entry.ts>... [--copy <from>:<to>]');
  return { entries, copies };
}

async function main() {
  const { entries, copies } = parseArgs(process.argv.slice(2));
  const outdir = path.resolve('dist');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const started = Date.now();
  const result = await build({
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    sourcemap: true,
    // Readable stack traces and class names in logs; the bundles are not shipped to browsers.
    minify: false,
    keepNames: true,
    external: OPTIONAL_EXTERNALS,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  // Anything still required at run time must be a Node built-in or a known optional external.
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const unresolved = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports ?? []) {
      if (imported.external && !builtins.has(imported.path) && !OPTIONAL_EXTERNALS.includes(imported.path))
        unresolved.add(imported.path);
    }
  }
  if (unresolved.size > 0) throw new Error(`left unbundled: ${[...unresolved].join(', ')}`);
  writeFileSync(path.join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
  for (const { from, to } of copies) cpSync(from, path.join(outdir, to), { recursive: true });
  const sizes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, out]) => `${path.relative(process.cwd(), file)} ${(out.bytes / 1024 / 1024).toFixed(1)} MB`);
  console.log(`[bundle] ${sizes.join(', ')} in ${Date.now() - started} ms`);
}

main().catch((error) => {
  console.error(`[bundle] ${error.message}`);
  process.exit(1);
});
