import type { Static, TObject } from '@sinclair/typebox';
import Ajv from 'ajv';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });

/**
 * Validates an environment against a service's config schema (TypeBox), applying defaults and
 * coercing strings to numbers/booleans. Called once at start-up with `process.env`; the typed
 * result is passed down. Every problem is reported at once, naming the variable.
 */
export function parseConfig<S extends TObject>(
  schema: S,
  env: Record<string, string | undefined>,
): Static<S> {
  const candidate: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') candidate[key] = value;
  }
  const validate = ajv.compile(schema);
  if (!validate(candidate)) {
    const problems = (validate.errors ?? []).map((e) => {
      const name =
        e.instancePath.replace(/^\//, '') || (e.params as { missingProperty?: string }).missingProperty || '';
      return `${name} ${e.message ?? 'is invalid'}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return candidate as Static<S>;
}
