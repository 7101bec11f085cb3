import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

/** The repository root (this package is tests/deploy). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Every service in apps/: each needs a chart, a compose entry, an image target and an ACL principal. */
export function appNames(): string[] {
  return readdirSync(path.join(ROOT, 'apps'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(ROOT, 'apps', entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort();
}

/** Deployables that are not services: built, imaged and run by compose, without chart or principal. */
export const NON_SERVICE_DEPLOYABLES = {
  'slack-emulator': 'packages/slack-emulator',
  provision: 'packages/provision',
};

/** Folder of a deployable's package, relative to the root. */
export const packageDir = (name: string): string =>
  (NON_SERVICE_DEPLOYABLES as Record<string, string>)[name] ?? `apps/${name}`;

export const readText = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
/** A YAML file, with merge keys (`<<: *anchor`) resolved as Compose resolves them. */
export const readYaml = <T = Record<string, unknown>>(file: string): T =>
  YAML.parse(readText(file), { merge: true }) as T;

/**
 * Where infra/tools/install.sh put the deploy tools: $COFFEEBUDDY_TOOLS, else
 * ${COFFEEBUDDY_CACHE:-~/.cache/coffeebuddy}/tools. Throws when the tool is missing.
 */
export function toolPath(name: string): string {
  const tools =
    process.env.COFFEEBUDDY_TOOLS ??
    path.join(process.env.COFFEEBUDDY_CACHE ?? path.join(homedir(), '.cache', 'coffeebuddy'), 'tools');
  const file = path.join(tools, 'bin', name);
  if (!existsSync(file))
    throw new Error(`${file} is missing: run bash infra/tools/install.sh (scripts/test.sh does)`);
  return file;
}

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for messages. */
  output: string;
}

/** Runs a deploy tool from the repository root and returns what it said. */
export function runTool(
  name: string,
  args: string[],
  options: { input?: string; cwd?: string } = {},
): ToolResult {
  const result = spawnSync(toolPath(name), args, {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (result.error) throw result.error;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: `${result.stdout}${result.stderr}`.trim(),
  };
}
