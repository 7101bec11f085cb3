import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadKafkaConfig } from './kafka';

const base = { KAFKA_BROKERS: 'kafka-0:9092,kafka-1:9092', SCHEMA_REGISTRY_URL: 'http://registry:8080' };
const secretFile = (content: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kafka-config-')), 'secret');
  writeFileSync(file, content);
  return file;
};

describe('loadKafkaConfig: SASL and TLS', () => {
  it('is plaintext without SASL by default', () => {
    const config = loadKafkaConfig(base);
    expect(config.sasl).toBeUndefined();
    expect(config.ssl).toBeUndefined();
  });

  it.each([
    ['SCRAM-SHA-256', 'scram-sha-256'],
    ['scram-sha-512', 'scram-sha-512'],
  ])('takes %s with a username and password', (mechanism, expected) => {
    const config = loadKafkaConfig({
      ...base,
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: 'coffeebuddy-runs-service',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(config.sasl).toEqual({
      mechanism: expected,
      username: 'coffeebuddy-runs-service',
      password: { value: 's3cret' },
    });
  });

  it('takes the password from a file instead', () => {
    const file = secretFile('from-vault\n');
    const config = loadKafkaConfig({
      ...base,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'coffeebuddy-orders-service',
      KAFKA_SASL_PASSWORD_FILE: file,
    });
    expect(config.sasl?.password).toEqual({ file });
  });

  it.each([
    [
      { KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      /SCRAM-SHA-256 or SCRAM-SHA-512, got "PLAIN"/,
    ],
    [{ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_USERNAME is required/],
    [
      { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'u' },
      /KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required/,
    ],
    [
      {
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_SASL_PASSWORD_FILE: '/x',
      },
      /not both/,
    ],
    [
      {
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: '/nonexistent/pw',
      },
      /cannot read KAFKA_SASL_PASSWORD_FILE \/nonexistent\/pw: ENOENT/,
    ],
    [{ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM is not/],
    [{ KAFKA_SSL: 'yes' }, /KAFKA_SSL must be true or false, got "yes"/],
    [{ KAFKA_SSL_CA_FILE: '/etc/ca.pem' }, /KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true/],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }, /cannot read KAFKA_SSL_CA_FILE/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadKafkaConfig({ ...base, ...env })).toThrow(message);
    expect(() => loadKafkaConfig({ ...base, ...env })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });

  it.each([
    { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-1', KAFKA_SASL_USERNAME: 'u' },
    { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' },
    { KAFKA_SASL_USERNAME: 'u' },
    { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/x' },
  ])('never puts the password in an error (%j)', (env) => {
    expect(() => loadKafkaConfig({ ...base, ...env, KAFKA_SASL_PASSWORD: 'hunter2' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it('verifies brokers with the CA file, or with the bundled CAs without one', () => {
    const ca = secretFile('-----BEGIN CERTIFICATE-----\n');
    expect(loadKafkaConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: ca }).ssl).toEqual({
      caFile: ca,
    });
    expect(loadKafkaConfig({ ...base, KAFKA_SSL: 'TRUE' }).ssl).toEqual({});
  });
});
