import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  type AclEntry as KafkaAclEntry,
  ResourcePatternTypes,
} from 'kafkajs';
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

const RESOURCE_TYPE: Record<AclEntry['resourceType'], AclResourceTypes> = {
  TOPIC: AclResourceTypes.TOPIC,
  GROUP: AclResourceTypes.GROUP,
  CLUSTER: AclResourceTypes.CLUSTER,
};

const toKafkaAcl = (e: AclEntry): KafkaAclEntry => ({
  principal: e.principal,
  host: '*',
  resourceType: RESOURCE_TYPE[e.resourceType],
  resourceName: e.resourceName,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  operation: AclOperationTypes[e.operation],
  permissionType: AclPermissionTypes.ALLOW,
});

const bindingKey = (a: KafkaAclEntry) =>
  [
    a.principal,
    a.host,
    a.resourceType,
    a.resourceName,
    a.resourcePatternType,
    a.operation,
    a.permissionType,
  ].join('|');

export interface AclSyncReport {
  /** Bindings of `aclEntries()` that were missing and were created. */
  created: number;
  /** Bindings the service principals had that `aclEntries()` does not list, and were deleted. */
  deleted: KafkaAclEntry[];
  /** Bindings already in place. */
  unchanged: number;
}

/**
 * Makes the cluster's ACLs of the service principals exactly `aclEntries()`: missing bindings
 * are created, any other binding of those principals (a grant removed from SERVICE_ACCESS, a hand-
 * made one) is deleted; other principals' ACLs are left alone. Idempotent. Needs a principal
 * with ALTER and DESCRIBE on the cluster (the platform team's, or the local broker's admin).
 * Kafka semantics: KIP-140 (CreateAcls/DeleteAcls/DescribeAcls); a binding is principal + host +
 * resource + pattern + operation + permission.
 */
export async function syncAcls(admin: Admin): Promise<AclSyncReport> {
  const wanted = new Map(aclEntries().map((e) => [bindingKey(toKafkaAcl(e)), toKafkaAcl(e)]));
  const existing = new Map<string, KafkaAclEntry>();
  for (const service of SERVICES) {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: principalFor(service),
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    for (const resource of resources) {
      for (const acl of resource.acls) {
        const binding: KafkaAclEntry = {
          ...acl,
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          resourcePatternType: resource.resourcePatternType,
        };
        existing.set(bindingKey(binding), binding);
      }
    }
  }
  const missing = [...wanted].filter(([key]) => !existing.has(key)).map(([, acl]) => acl);
  const extra = [...existing].filter(([key]) => !wanted.has(key)).map(([, acl]) => acl);
  if (missing.length > 0) await admin.createAcls({ acl: missing });
  if (extra.length > 0) await admin.deleteAcls({ filters: extra });
  return { created: missing.length, deleted: extra, unchanged: wanted.size - missing.length };
}
