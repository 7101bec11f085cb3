import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GatewayConfigSchema } from '../src/config';

const manifest = readFileSync(path.resolve(__dirname, '..', '..', '..', 'manifest.yaml'), 'utf8');

describe('manifest.yaml', () => {
  it('asks for exactly the bot scopes the install flow requests', () => {
    const scopes = /scopes:\s*\n\s*bot:\s*\n((?:\s*- [\w:.]+\n)+)/.exec(manifest)?.[1] ?? '';
    const declared = scopes
      .split('\n')
      .map((l) => l.trim().replace(/^- /, ''))
      .filter(Boolean);
    expect(declared.sort()).toEqual(
      String(GatewayConfigSchema.properties.SLACK_SCOPES.default).split(',').sort(),
    );
  });

  it('points Slack at the gateway routes', () => {
    for (const route of [
      '/slack/commands',
      '/slack/interactions',
      '/slack/events',
      '/slack/oauth_redirect',
    ]) {
      expect(manifest).toContain(route);
    }
    expect(manifest).toContain('command: /coffee');
    // The note keeps mentions, channel links and URLs only when Slack sends them as sequences.
    expect(manifest).toMatch(/command: \/coffee[\s\S]*should_escape: true/);
    expect(manifest).toContain('- app_home_opened');
  });
});
