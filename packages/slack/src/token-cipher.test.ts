import { randomBytes } from 'node:crypto';
import { TokenCipher } from './token-cipher';

const key = randomBytes(32).toString('base64');

describe('TokenCipher', () => {
  it('round-trips and never stores the plaintext', () => {
    const cipher = new TokenCipher(key);
    const stored = cipher.encrypt('xoxb-123-secret-token');
    expect(stored).not.toContain('xoxb');
    expect(stored.startsWith('v1.')).toBe(true);
    expect(cipher.encrypt('xoxb-123-secret-token')).not.toBe(stored); // fresh IV each time
    expect(cipher.decrypt(stored)).toBe('xoxb-123-secret-token');
  });

  it('refuses a wrong key, a tampered value and a bad key size', () => {
    const stored = new TokenCipher(key).encrypt('xoxb-1');
    expect(() => new TokenCipher(randomBytes(32).toString('base64')).decrypt(stored)).toThrow(
      /cannot decrypt/,
    );
    const parts = stored.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => new TokenCipher(key).decrypt(parts.join('.'))).toThrow(/cannot decrypt/);
    expect(() => new TokenCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
