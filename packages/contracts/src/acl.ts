import { type AnyTopicName, deadLetterTopicFor, TOPICS } from './topics';

/**
 * Least-privilege Kafka ACLs per service principal, for the platform team. Machine-readable:
 * `pnpm --filter @coffeebuddy/contracts acl:print` renders it as JSON or as `kafka-acls.sh`
 * commands; ACL.md beside this package explains it. Tests check it covers exactly what the
 * services produce and consume.
 */

export const SERVICES = [
  'slack-gateway',
  'runs-service',
  'orders-service',
  'admin-service',
  'reminder-worker',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The Kafka principal of a service (mTLS CN or SASL user `coffeebuddy-<service>`). */
export const principalFor = (service: ServiceName): string => `User:coffeebuddy-${service}`;

/** The consumer group of a service: one group per service, so each service sees every message once. */
export const consumerGroupFor = (service: ServiceName): string => `coffeebuddy.${service}`;

export interface ServiceAccess {
  /** Topics the service produces to (needs WRITE + DESCRIBE). */
  produces: AnyTopicName[];
  /** Topics the service consumes (needs READ + DESCRIBE, and READ on its group). */
  consumes: AnyTopicName[];
}

export const SERVICE_ACCESS: Record<ServiceName, ServiceAccess> = {
  'slack-gateway': {
    produces: [TOPICS.runCommands, TOPICS.orderCommands, TOPICS.adminCommands],
    consumes: [],
  },
  'runs-service': {
    // reminder_scheduled: runs-service owns runs, so it says when their reminders are due.
    produces: [
      TOPICS.runEvents,
      TOPICS.reminderEvents,
      deadLetterTopicFor(TOPICS.runCommands),
      deadLetterTopicFor(TOPICS.adminEvents),
    ],
    // admin_config_changed: a channel's new reminder settings re-schedule its runs' reminders.
    consumes: [TOPICS.runCommands, TOPICS.adminEvents],
  },
  'orders-service': {
    produces: [TOPICS.runEvents, deadLetterTopicFor(TOPICS.orderCommands)],
    consumes: [TOPICS.orderCommands],
  },
  'admin-service': {
    produces: [TOPICS.adminEvents, deadLetterTopicFor(TOPICS.adminCommands)],
    consumes: [TOPICS.adminCommands],
  },
  'reminder-worker': {
    produces: [TOPICS.reminderEvents, deadLetterTopicFor(TOPICS.reminderEvents)],
    consumes: [TOPICS.reminderEvents],
  },
};

export interface AclEntry {
  principal: string;
  resourceType: 'TOPIC' | 'GROUP' | 'CLUSTER';
  resourceName: string;
  patternType: 'LITERAL';
  operation: 'READ' | 'WRITE' | 'DESCRIBE' | 'IDEMPOTENT_WRITE';
  permission: 'ALLOW';
}

/** Every ACL entry the services need; anything not listed is denied. */
export function aclEntries(): AclEntry[] {
  const entries: AclEntry[] = [];
  const add = (
    principal: string,
    resourceType: AclEntry['resourceType'],
    resourceName: string,
    operation: AclEntry['operation'],
  ) =>
    entries.push({
      principal,
      resourceType,
      resourceName,
      patternType: 'LITERAL',
      operation,
      permission: 'ALLOW',
    });
  for (const service of SERVICES) {
    const principal = principalFor(service);
    const access = SERVICE_ACCESS[service];
    for (const topic of access.produces) {
      add(principal, 'TOPIC', topic, 'WRITE');
      add(principal, 'TOPIC', topic, 'DESCRIBE');
    }
    for (const topic of access.consumes) {
      add(principal, 'TOPIC', topic, 'READ');
      add(principal, 'TOPIC', topic, 'DESCRIBE');
    }
    if (access.consumes.length > 0) add(principal, 'GROUP', consumerGroupFor(service), 'READ');
    // Idempotent producers (acks=all, idempotent) need this on brokers before Kafka 3.0.
    if (access.produces.length > 0) add(principal, 'CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE');
  }
  return entries;
}

/** The entries as `kafka-acls.sh` invocations (one per principal, resource and operation). */
export function aclCommands(bootstrap = '$BOOTSTRAP'): string[] {
  return aclEntries().map((e) => {
    const resource =
      e.resourceType === 'TOPIC'
        ? `--topic ${e.resourceName}`
        : e.resourceType === 'GROUP'
          ? `--group ${e.resourceName}`
          : '--cluster';
    return `kafka-acls.sh --bootstrap-server ${bootstrap} --add --allow-principal ${e.principal} --operation ${e.operation} ${resource}`;
  });
}
