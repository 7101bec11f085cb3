/**
 * Every Kafka topic CoffeeBuddy uses, and how each is configured per environment. This file is
 * the only place a topic name is written; everything else imports `TOPICS`.
 *
 * Keys are always the Slack channel ID, so all messages of one channel land on one partition
 * and stay in order.
 */

export const TOPICS = {
  /** Gateway → runs-service: `/coffee` to start a run, "Close run" clicks. */
  runCommands: 'coffeebuddy.run.commands',
  /** Gateway → orders-service: "Place order", "Use my last order", order modal submissions, edit/cancel. */
  orderCommands: 'coffeebuddy.order.commands',
  /** Gateway → admin-service: `/coffee admin` and admin modal submissions. */
  adminCommands: 'coffeebuddy.admin.commands',
  /** Run lifecycle and orders: run_created, run_closed, run_cancelled, order_placed/updated/cancelled. */
  runEvents: 'coffeebuddy.run.events',
  /** Reminders: reminder_scheduled, reminder_sent, reminder_failed. */
  reminderEvents: 'coffeebuddy.reminder.events',
  /** Channel administration: admin_config_changed, channel_reset. */
  adminEvents: 'coffeebuddy.admin.events',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey];

/** Where a consumer puts a message it cannot process: `<topic>.dlq`. */
export function deadLetterTopicFor(topic: TopicName): DeadLetterTopicName {
  return `${topic}.dlq`;
}
export type DeadLetterTopicName = `${TopicName}.dlq`;
export type AnyTopicName = TopicName | DeadLetterTopicName;

export const ENVIRONMENTS = ['local', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface TopicConfig {
  partitions: number;
  replicationFactor: number;
  /** Broker config entries (min.insync.replicas, retention.ms, cleanup.policy, …). */
  config: Record<string, string>;
}

export interface TopicSpec extends TopicConfig {
  name: AnyTopicName;
  purpose: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

type TopicClass = 'commands' | 'events' | 'deadLetter';

/**
 * Per environment and class of topic. Production runs three brokers: replication 3 with
 * min.insync.replicas 2 keeps acks=all producers writing through the loss of one broker.
 * Local runs one broker, so everything is 1.
 */
const CLASS_CONFIG: Record<Environment, Record<TopicClass, TopicConfig>> = {
  local: {
    commands: {
      partitions: 3,
      replicationFactor: 1,
      config: { 'min.insync.replicas': '1', 'retention.ms': String(7 * DAY_MS), 'cleanup.policy': 'delete' },
    },
    events: {
      partitions: 3,
      replicationFactor: 1,
      config: { 'min.insync.replicas': '1', 'retention.ms': String(14 * DAY_MS), 'cleanup.policy': 'delete' },
    },
    deadLetter: {
      partitions: 1,
      replicationFactor: 1,
      config: { 'min.insync.replicas': '1', 'retention.ms': String(30 * DAY_MS), 'cleanup.policy': 'delete' },
    },
  },
  production: {
    commands: {
      partitions: 12,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2', 'retention.ms': String(7 * DAY_MS), 'cleanup.policy': 'delete' },
    },
    events: {
      partitions: 12,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2', 'retention.ms': String(14 * DAY_MS), 'cleanup.policy': 'delete' },
    },
    deadLetter: {
      partitions: 3,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2', 'retention.ms': String(30 * DAY_MS), 'cleanup.policy': 'delete' },
    },
  },
};

const TOPIC_CLASS: Record<TopicName, TopicClass> = {
  [TOPICS.runCommands]: 'commands',
  [TOPICS.orderCommands]: 'commands',
  [TOPICS.adminCommands]: 'commands',
  [TOPICS.runEvents]: 'events',
  [TOPICS.reminderEvents]: 'events',
  [TOPICS.adminEvents]: 'events',
};

const PURPOSE: Record<TopicName, string> = {
  [TOPICS.runCommands]: 'gateway → runs-service commands (start run, close run)',
  [TOPICS.orderCommands]: 'gateway → orders-service commands (order modal, reuse, edit, cancel)',
  [TOPICS.adminCommands]: 'gateway → admin-service commands (admin modal, config, reset)',
  [TOPICS.runEvents]: 'run and order lifecycle events (run_created, run_closed, run_cancelled, order_*)',
  [TOPICS.reminderEvents]: 'reminder lifecycle events (scheduled, sent, failed)',
  [TOPICS.adminEvents]: 'channel administration events (config changed, reset)',
};

/** Every topic with its configuration for one environment, dead-letter topics included. */
export function topicSpecs(environment: Environment): TopicSpec[] {
  const specs: TopicSpec[] = [];
  for (const name of Object.values(TOPICS)) {
    specs.push({
      name,
      purpose: PURPOSE[name],
      ...structuredClone(CLASS_CONFIG[environment][TOPIC_CLASS[name]]),
    });
    specs.push({
      name: deadLetterTopicFor(name),
      purpose: `dead letters of ${name} (poison messages, with provenance headers)`,
      ...structuredClone(CLASS_CONFIG[environment].deadLetter),
    });
  }
  return specs;
}

export function isEnvironment(value: string): value is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}
