import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Headless Chromium for the workspace page's browser test: Debian's `chromium` (installed by
 * infra/local/chromium.sh, which scripts/test.sh runs), driven by playwright-core. Nothing is
 * downloaded: playwright-core is given the system binary.
 */

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** `$CHROMIUM_PATH`, or what infra/local/chromium.sh finds; throws one line saying what to do. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('bash', [path.join(repoRoot, 'infra/local/chromium.sh'), 'path'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch {
    throw new Error(
      'Chromium is not installed: run bash infra/local/chromium.sh ensure (scripts/test.sh does), or set CHROMIUM_PATH',
    );
  }
}

/** Flags that work in a container as root, with no GPU, no network beyond loopback and no first-run UI. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  page: Page;
  /** Saves a screenshot as `<artifacts>/<NN>-<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Where test artifacts go: `.local/test-artifacts/<suite>/` (emptied at the start). */
export function artifactsDir(suite: string): string {
  const state = process.env.COFFEEBUDDY_STATE ?? path.join(repoRoot, '.local');
  const dir = path.join(state, 'test-artifacts', suite);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Launches headless Chromium with a fresh profile; page errors fail loudly through `errors`. */
export async function launchBrowser(artifacts: string): Promise<Browser & { errors: string[] }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'coffeebuddy-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
      timezoneId: 'UTC',
    });
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  let step = 0;
  return {
    page,
    errors,
    async screenshot(name) {
      step += 1;
      const file = path.join(artifacts, `${String(step).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
