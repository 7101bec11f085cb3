/**
 * Secrets in logs: every e2e stack scans what its services printed, when it stops, for the
 * secrets it gave them or that Slack issued (the design: secrets never appear in logs or errors).
 */

/** A secret's name (what a finding says) and its value (never printed). */
export interface KnownSecret {
  name: string;
  value: string;
}

/** Where a secret appeared: the service and the line's number in its output (1-based). */
export interface SecretFinding {
  secret: string;
  service: string;
  line: number;
}

/**
 * The secrets of a database URL worth scanning for: the `user:password@` credential (the shape a
 * leaked connection string has) and the password alone when it is long enough not to be an
 * ordinary word (at least 12 characters, and not the user's or database's name).
 */
export function databaseSecrets(url: string): KnownSecret[] {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  if (!password) return [];
  const user = decodeURIComponent(parsed.username);
  const secrets: KnownSecret[] = [{ name: 'database credentials', value: `${user}:${password}@` }];
  const database = parsed.pathname.replace(/^\//, '');
  if (password.length >= 12 && password !== user && password !== database) {
    secrets.push({ name: 'database password', value: password });
  }
  return secrets;
}

/**
 * Each place one of `secrets` appears in `output` (service name → its lines, as printed). Values
 * shorter than 8 characters are refused: they would match ordinary text.
 * @throws Error naming a secret whose value is too short to scan for.
 */
export function findSecrets(
  output: ReadonlyArray<{ service: string; lines: readonly string[] }>,
  secrets: readonly KnownSecret[],
): SecretFinding[] {
  for (const secret of secrets) {
    if (secret.value.length < 8) throw new Error(`secret ${secret.name} is too short to scan for`);
  }
  const findings: SecretFinding[] = [];
  for (const { service, lines } of output) {
    lines.forEach((text, index) => {
      for (const secret of secrets) {
        if (text.includes(secret.value)) findings.push({ secret: secret.name, service, line: index + 1 });
      }
    });
  }
  return findings;
}
