import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Prometheus metrics of the producer and consumer wrappers, on the service's one registry. */
export interface KafkaMetrics {
  produced: Counter<'topic' | 'type'>;
  processed: Counter<'topic' | 'type' | 'group'>;
  failed: Counter<'topic' | 'type' | 'group' | 'code'>;
  deadLettered: Counter<'topic' | 'group' | 'reason'>;
  duplicates: Counter<'topic' | 'group'>;
  handlerDuration: Histogram<'topic' | 'type' | 'group' | 'outcome'>;
  consumerLag: Gauge<'topic' | 'partition' | 'group'>;
  connected: Gauge<'client'>;
}

export function createKafkaMetrics(registry: Registry): KafkaMetrics {
  const registers = [registry];
  return {
    produced: new Counter({
      name: 'coffeebuddy_kafka_messages_produced_total',
      help: 'Messages produced, acknowledged by all in-sync replicas.',
      labelNames: ['topic', 'type'],
      registers,
    }),
    processed: new Counter({
      name: 'coffeebuddy_kafka_messages_processed_total',
      help: 'Messages whose handler succeeded and whose offset was committed.',
      labelNames: ['topic', 'type', 'group'],
      registers,
    }),
    failed: new Counter({
      name: 'coffeebuddy_kafka_handler_failures_total',
      help: 'Handler attempts that failed (each retry counts).',
      labelNames: ['topic', 'type', 'group', 'code'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'coffeebuddy_kafka_messages_dead_lettered_total',
      help: 'Messages sent to a dead-letter topic.',
      labelNames: ['topic', 'group', 'reason'],
      registers,
    }),
    duplicates: new Counter({
      name: 'coffeebuddy_kafka_messages_duplicate_total',
      help: 'Redelivered messages skipped because their effect was already recorded.',
      labelNames: ['topic', 'group'],
      registers,
    }),
    handlerDuration: new Histogram({
      name: 'coffeebuddy_kafka_handler_duration_seconds',
      help: 'Time to handle one message, retries included.',
      labelNames: ['topic', 'type', 'group', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'coffeebuddy_kafka_consumer_lag_messages',
      help: 'Messages between the committed offset and the end of the partition.',
      labelNames: ['topic', 'partition', 'group'],
      registers,
    }),
    connected: new Gauge({
      name: 'coffeebuddy_kafka_connected',
      help: '1 when the client is connected to the Kafka cluster, 0 otherwise.',
      labelNames: ['client'],
      registers,
    }),
  };
}
