import { DEFAULT_BOT_TOKEN, DEFAULT_CLIENT_ID, EmulatorConfigError, loadConfig } from '../src';

describe('loadConfig', () => {
  it('has defaults for a local run', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3999,
      botToken: DEFAULT_BOT_TOKEN,
      clientId: DEFAULT_CLIENT_ID,
      clientSecret: 'emulator-client-secret',
      logLevel: 'info',
    });
  });

  it('reads the environment', () => {
    expect(
      loadConfig({
        SLACK_EMULATOR_PORT: '4100',
        SLACK_EMULATOR_HOST: '0.0.0.0',
        SLACK_EMULATOR_BOT_TOKEN: 'xoxb-custom',
        SLACK_CLIENT_ID: '1.2',
        SLACK_CLIENT_SECRET: 's3cret',
        SLACK_REDIRECT_URI: 'http://localhost:3000/slack/oauth_redirect',
        LOG_LEVEL: 'warn',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 4100,
      botToken: 'xoxb-custom',
      clientId: '1.2',
      clientSecret: 's3cret',
      redirectUri: 'http://localhost:3000/slack/oauth_redirect',
      logLevel: 'warn',
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ SLACK_EMULATOR_PORT: '', SLACK_CLIENT_ID: ' ' })).toMatchObject({
      port: 3999,
      clientId: DEFAULT_CLIENT_ID,
    });
  });

  it('reports every problem at once, naming the variable', () => {
    expect(() =>
      loadConfig({ SLACK_EMULATOR_PORT: 'abc', SLACK_EMULATOR_BOT_TOKEN: 'xoxp-user', LOG_LEVEL: 'loud' }),
    ).toThrow(
      new EmulatorConfigError(
        'invalid configuration: SLACK_EMULATOR_PORT must be a port number (0-65535), got "abc"; ' +
          'SLACK_EMULATOR_BOT_TOKEN must be a bot token (xoxb-…); ' +
          'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      ),
    );
    expect(() => loadConfig({ SLACK_EMULATOR_PORT: '70000' })).toThrow(/SLACK_EMULATOR_PORT/);
  });

  it('connects the workspace page to an app only with both its URL and the signing secret', () => {
    expect(
      loadConfig({ SLACK_EMULATOR_APP_URL: 'http://127.0.0.1:3000/', SLACK_SIGNING_SECRET: 'shh' }).app,
    ).toEqual({ url: 'http://127.0.0.1:3000', signingSecret: 'shh' });
    expect(loadConfig({}).app).toBeUndefined();
    expect(() => loadConfig({ SLACK_EMULATOR_APP_URL: 'http://127.0.0.1:3000' })).toThrow(
      /SLACK_EMULATOR_APP_URL and SLACK_SIGNING_SECRET go together/,
    );
    expect(() => loadConfig({ SLACK_SIGNING_SECRET: 'shh' })).toThrow(/go together/);
    expect(() => loadConfig({ SLACK_EMULATOR_APP_URL: 'gateway:3000', SLACK_SIGNING_SECRET: 'shh' })).toThrow(
      /SLACK_EMULATOR_APP_URL must be an http\(s\) URL/,
    );
  });
});
