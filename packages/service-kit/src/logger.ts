import pino, { type Logger } from 'pino';

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'bot.token',
  'access_token',
  '*.access_token',
  'password',
  '*.password',
  'signingSecret',
  '*.signingSecret',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'encryptionKey',
  '*.encryptionKey',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-slack-signature"]',
  'req.headers["x-slack-signature"]',
];

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout by default (tests pass a stream to read them back). */
  destination?: pino.DestinationStream;
}

/** JSON logs for one service; make a child per message/request carrying `correlationId`. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

export type { Logger };

const LEVEL_NAMES = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
const noop = () => undefined;

/**
 * `logger.child(bindings)`, made only when something is logged through it. A child serializes
 * (and redacts) its bindings when it is made — measured at ~5% of the gateway's time per request
 * when most requests log nothing at the service's level. A call at a disabled level is a no-op
 * that makes no child; everything else is forwarded to the real child, made on first use.
 */
export function lazyChild(logger: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = () => {
    child ??= logger.child(bindings);
    return child;
  };
  return new Proxy({} as Logger, {
    get(_target, property) {
      if (typeof property === 'string' && LEVEL_NAMES.has(property) && !logger.isLevelEnabled(property))
        return noop;
      const target = real();
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
