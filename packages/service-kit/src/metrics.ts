import { collectDefaultMetrics, Registry } from 'prom-client';

/** The one metrics registry of a service, with process metrics and a `service` label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'coffeebuddy_' });
  // prom-client names these gauges `_total`, which Prometheus reserves for counters (promtool
  // rejects them); the same figures stay available per type without the suffix.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(`coffeebuddy_${name}`);
  }
  return registry;
}
