import { type Admin, ConfigResourceTypes } from 'kafkajs';
import { type Environment, type TopicSpec, topicSpecs } from './topics';

export interface ProvisionReport {
  created: string[];
  updated: { topic: string; changes: string[] }[];
  unchanged: string[];
  /** Differences that need an operator (replication factor cannot be changed in place). */
  warnings: string[];
}

/**
 * Creates missing topics and brings existing ones to their declared configuration: more
 * partitions when fewer exist, config entries altered when they differ. Idempotent.
 */
export async function provisionTopics(
  admin: Admin,
  environment: Environment,
  specs: TopicSpec[] = topicSpecs(environment),
): Promise<ProvisionReport> {
  const report: ProvisionReport = { created: [], updated: [], unchanged: [], warnings: [] };
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
        configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
      })),
    });
    report.created.push(...missing.map((s) => s.name));
  }

  const present = specs.filter((s) => existing.has(s.name));
  if (present.length === 0) return report;
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((s) => ({
      type: ConfigResourceTypes.TOPIC,
      name: s.name,
      configNames: Object.keys(s.config),
    })),
  });
  for (const spec of present) {
    const changes: string[] = [];
    const topic = metadata.topics.find((t) => t.name === spec.name);
    const partitions = topic?.partitions.length ?? 0;
    if (partitions < spec.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: spec.name, count: spec.partitions }] });
      changes.push(`partitions ${partitions} → ${spec.partitions}`);
    } else if (partitions > spec.partitions) {
      report.warnings.push(
        `${spec.name} has ${partitions} partitions, more than the declared ${spec.partitions} (partitions cannot shrink)`,
      );
    }
    const replicas = topic?.partitions[0]?.replicas.length ?? 0;
    if (replicas !== spec.replicationFactor) {
      report.warnings.push(
        `${spec.name} has replication factor ${replicas}, declared ${spec.replicationFactor}: reassign partitions to change it`,
      );
    }
    const current = new Map(
      configs.resources
        .find((r) => r.resourceName === spec.name)
        ?.configEntries.map((e) => [e.configName, e.configValue]) ?? [],
    );
    const differing = Object.entries(spec.config).filter(([name, value]) => current.get(name) !== value);
    if (differing.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: spec.name,
            configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      changes.push(
        ...differing.map(([name, value]) => `${name} ${current.get(name) ?? '(unset)'} → ${value}`),
      );
    }
    if (changes.length > 0) report.updated.push({ topic: spec.name, changes });
    else report.unchanged.push(spec.name);
  }
  return report;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** Messages each partition's committed offset is behind the partition's end, for one group. */
export async function consumerLag(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  const lags: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const { partition, offset } of partitions) {
      const end = Number(ends.find((e) => e.partition === partition)?.high ?? 0);
      const low = Number(ends.find((e) => e.partition === partition)?.low ?? 0);
      const position = Number(offset) < 0 ? low : Number(offset);
      lags.push({ topic, partition, lag: Math.max(0, end - position) });
    }
  }
  return lags;
}
