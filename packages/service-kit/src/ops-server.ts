import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  check: () => boolean | Promise<boolean>;
}

export interface OpsServerOptions {
  registry: Registry;
  checks: ReadinessCheck[];
  logger: Logger;
}

/*
 * `/healthz` (the process answers), `/readyz` (every check passes: 200, else 503 naming the
 * failing ones) and `/metrics` (Prometheus text format). Built, not started: `listen` is the
 * caller's, so tests can use `inject`.
 */
export type OpsServer = FastifyInstance & { markShuttingDown(): void };

/**
 * Adds `/healthz`, `/readyz` and `/metrics` to an app (the gateway serves them beside its own
 * routes; workers through `buildOpsServer`). Returns the function that turns `/readyz` to 503.
 */
export function registerOpsRoutes(
  app: FastifyInstance,
  options: Omit<OpsServerOptions, 'logger'>,
): () => void {
  let shuttingDown = false;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (shuttingDown) return reply.code(503).send({ status: 'shutting_down' });
    const results = await Promise.all(
      options.checks.map(async (c) => {
        try {
          return { name: c.name, ok: await c.check() };
        } catch {
          return { name: c.name, ok: false };
        }
      }),
    );
    const failing = results.filter((r) => !r.ok).map((r) => r.name);
    return reply
      .code(failing.length === 0 ? 200 : 503)
      .send({ status: failing.length === 0 ? 'ready' : 'not_ready', failing });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
  return () => {
    shuttingDown = true;
  };
}

/** A stand-alone ops server (`/healthz`, `/readyz`, `/metrics`) for workers. */
export function buildOpsServer(options: OpsServerOptions): OpsServer {
  const loggerInstance: FastifyBaseLogger = options.logger.child({ component: 'ops-http' });
  const app: FastifyInstance = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
  });
  const markShuttingDown = registerOpsRoutes(app, options);
  return Object.assign(app, { markShuttingDown });
}
