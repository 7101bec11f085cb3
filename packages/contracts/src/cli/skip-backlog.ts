// `pnpm --filter @coffeebuddy/contracts skip-backlog <service>...`: moves each service's consumer
// group to the end of the topics it consumes. For the LOCAL stack only (infra/local/services.sh
// runs it before starting the services): whatever was produced while the local gateway was down
// came from tests or benchmarks sharing the broker, not from someone using the local stack.
// The group must have no running members.
import pino from 'pino';
import { consumerGroupFor, SERVICE_ACCESS, SERVICES, type ServiceName } from '../acl';
import { createKafka, loadKafkaConfig } from '../kafka';

async function main(): Promise<void> {
  const services = process.argv.slice(2);
  const unknown = services.filter((s) => !(SERVICES as readonly string[]).includes(s));
  if (services.length === 0 || unknown.length > 0) {
    throw new Error(
      `usage: skip-backlog <service>... (services: ${SERVICES.join(', ')}; unknown: ${unknown.join(', ')})`,
    );
  }
  const config = loadKafkaConfig(process.env);
  // kafkajs logs the retriable errors of a broker that just started (no group coordinator yet)
  // at error level while it retries them; this tool says itself what failed for good.
  const admin = createKafka(config, 'coffeebuddy-skip-backlog', pino({ level: 'silent' })).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const service of services as ServiceName[]) {
      const groupId = consumerGroupFor(service);
      for (const topic of SERVICE_ACCESS[service].consumes.filter((t) => existing.has(t))) {
        // Explicit end offsets: kafkajs' resetOffsets commits -1 for "latest", which a consumer
        // reads as "no offset" and so starts from the beginning.
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
        });
      }
      console.log(
        `[skip-backlog] ${groupId} starts at the end of ${SERVICE_ACCESS[service].consumes.join(', ')}`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`[skip-backlog] ${error.message}`);
  process.exit(1);
});
