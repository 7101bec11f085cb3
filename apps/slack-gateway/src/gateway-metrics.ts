import { Counter, Histogram, type Registry } from 'prom-client';

/** The gateway's own metrics, registered once per app on the service's registry. */
export function createGatewayMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'coffeebuddy_gateway_requests_total',
      help: 'Slack requests by route and outcome.',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'coffeebuddy_gateway_rejected_requests_total',
      help: 'Requests refused before reaching any service, by reason code.',
      labelNames: ['code'],
      registers: [registry],
    }),
    ackDuration: new Histogram({
      name: 'coffeebuddy_gateway_ack_duration_seconds',
      help: 'Time from receiving a Slack request to answering it.',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers: [registry],
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
