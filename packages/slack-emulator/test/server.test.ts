import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { LogLevel, WebClient } from '@slack/web-api';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Waits for the JSON log line that carries `baseUrl`. */
function waitForBaseUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no start-up line; output so far: ${buffered}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as { baseUrl?: string };
          if (parsed.baseUrl) {
            clearTimeout(timer);
            resolve(parsed.baseUrl);
          }
        } catch {
          // a partial line; wait for the rest
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before start-up: ${buffered}`)));
  });
}

describe('the emulator process (src/server.ts)', () => {
  it('starts from env, serves the Web API with the configured token and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'src', 'server.ts')],
      {
        env: {
          ...process.env,
          SLACK_EMULATOR_PORT: String(port),
          SLACK_EMULATOR_BOT_TOKEN: 'xoxb-process-test-token',
          SLACK_CLIENT_ID: '7.7',
          SLACK_CLIENT_SECRET: 'process-secret',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const baseUrl = await waitForBaseUrl(child);
      expect(baseUrl).toBe(`http://127.0.0.1:${port}`);
      const client = new WebClient('xoxb-process-test-token', {
        slackApiUrl: `${baseUrl}/api/`,
        logLevel: LogLevel.ERROR,
      });
      expect(await client.auth.test()).toMatchObject({ ok: true, team_id: 'T0001' });
      const authorize = await fetch(
        `${baseUrl}/oauth/v2/authorize?client_id=7.7&scope=commands&redirect_uri=${encodeURIComponent('http://localhost/cb')}`,
        { redirect: 'manual' },
      );
      expect(authorize.status).toBe(302);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses to start with invalid configuration and says why', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'src', 'server.ts')],
      {
        env: { ...process.env, SLACK_EMULATOR_PORT: 'not-a-port' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toContain('SLACK_EMULATOR_PORT must be a port number');
  });
});
