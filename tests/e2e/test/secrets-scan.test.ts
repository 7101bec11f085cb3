import { databaseSecrets, findSecrets } from '../src/secrets';

/** The scan every e2e stack runs over its services' output when it stops (src/secrets.ts). */
describe('the secrets scan of service logs', () => {
  const secrets = [
    { name: 'the signing secret', value: '8f14e45fceea167a5a36dedd4bea2543' },
    { name: 'a Slack token', value: 'xoxb-T0001-1796300000000-abcdef0123456789abcdef01' },
  ];

  it('names the secret, the service and the line, never the value', () => {
    const findings = findSecrets(
      [
        {
          service: 'slack-gateway',
          lines: ['{"msg":"ok"}', '{"err":"bad signature 8f14e45fceea167a5a36dedd4bea2543"}'],
        },
        {
          service: 'runs-service',
          lines: ['Authorization: Bearer xoxb-T0001-1796300000000-abcdef0123456789abcdef01'],
        },
      ],
      secrets,
    );
    expect(findings).toEqual([
      { secret: 'the signing secret', service: 'slack-gateway', line: 2 },
      { secret: 'a Slack token', service: 'runs-service', line: 1 },
    ]);
    expect(JSON.stringify(findings)).not.toContain('8f14e45f');
  });

  it('finds nothing in clean output', () => {
    expect(
      findSecrets([{ service: 'admin-service', lines: ['{"msg":"channel settings saved"}'] }], secrets),
    ).toEqual([]);
  });

  it('refuses a value too short to scan for', () => {
    expect(() => findSecrets([], [{ name: 'pin', value: '1234' }])).toThrow('pin is too short to scan for');
  });

  it.each([
    // url, what is scanned for
    ['postgresql://coffeebuddy:coffeebuddy@127.0.0.1:15432/coffeebuddy', ['coffeebuddy:coffeebuddy@']],
    [
      'postgresql://app:s3cr3t-p%40ss-word@db:5432/coffeebuddy',
      ['app:s3cr3t-p@ss-word@', 's3cr3t-p@ss-word'],
    ],
    ['postgresql://app@db:5432/coffeebuddy', []],
  ])('database URL %s → %j', (url, values) => {
    expect(databaseSecrets(url).map((s) => s.value)).toEqual(values);
  });
});
