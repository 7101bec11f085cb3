import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export class TokenCipherError extends Error {
  readonly code = 'TOKEN_CIPHER';
}

/**
 * AES-256-GCM for secrets at rest (bot tokens inside stored installations). The stored form is
 * `v1.<iv>.<auth tag>.<ciphertext>` in base64url; a wrong key or a tampered value fails to decrypt.
 */
export class TokenCipher {
  private readonly key: Buffer;

  /** `key` is 32 bytes, base64-encoded (generate one with `openssl rand -base64 32`). */
  constructor(keyBase64: string) {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length !== 32) {
      throw new TokenCipherError(
        'TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)',
      );
    }
    this.key = key;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, ciphertext] = stored.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
      throw new TokenCipherError('not an encrypted value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new TokenCipherError('cannot decrypt: wrong TOKEN_ENCRYPTION_KEY or tampered value');
    }
  }
}
