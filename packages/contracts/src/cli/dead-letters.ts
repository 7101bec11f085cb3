// `pnpm --filter @coffeebuddy/contracts dead-letters list <topic>`
// `pnpm --filter @coffeebuddy/contracts dead-letters redrive <topic> (--all | <partition>:<offset>...)`
//
// Lists the messages a consumer gave up on (`<topic>.dlq`) with why, or puts chosen ones back on
// their topic to be handled again once the cause is fixed. <topic> is a command or event topic,
// e.g. coffeebuddy.run.commands.
import pino from 'pino';
import { readDeadLetters, redriveDeadLetters } from '../dead-letters';
import { createKafka, loadKafkaConfig } from '../kafka';
import { createProducer } from '../producer';
import { MessageRegistry } from '../registry';
import { TOPICS, type TopicName } from '../topics';

const USAGE =
  'usage: dead-letters list <topic> | dead-letters redrive <topic> (--all | <partition>:<offset>...)\n' +
  `topics: ${Object.values(TOPICS).join(', ')}`;

async function main(): Promise<void> {
  const [command, topic, ...rest] = process.argv.slice(2);
  if (!command || !topic || !(Object.values(TOPICS) as string[]).includes(topic)) throw new Error(USAGE);
  const config = loadKafkaConfig(process.env);
  const logger = pino({ level: 'warn' });
  const kafka = createKafka(config, 'coffeebuddy-dead-letters', logger);
  const letters = await readDeadLetters(kafka, topic as TopicName);
  if (command === 'list') {
    if (letters.length === 0) console.log(`[dead-letters] ${topic}.dlq is empty`);
    for (const l of letters) {
      console.log(
        `${l.partition}:${l.offset}  ${l.failedAt}  ${l.messageType || '?'}  correlation ${l.correlationId || '?'}  ` +
          `group ${l.consumerGroup}  ${l.errorCode}: ${l.errorMessage}`,
      );
    }
    return;
  }
  if (command !== 'redrive' || rest.length === 0) throw new Error(USAGE);
  const chosen = rest.includes('--all')
    ? letters
    : letters.filter((l) => rest.includes(`${l.partition}:${l.offset}`));
  const missing = rest.filter(
    (r) => r !== '--all' && !letters.some((l) => `${l.partition}:${l.offset}` === r),
  );
  if (missing.length > 0) throw new Error(`no dead letter at ${missing.join(', ')} in ${topic}.dlq`);
  const producer = createProducer({ kafka, registry: new MessageRegistry(config.schemaRegistryUrl), logger });
  await producer.connect();
  try {
    const count = await redriveDeadLetters(producer, chosen);
    console.log(`[dead-letters] put ${count} message(s) back on ${topic}`);
  } finally {
    await producer.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`[dead-letters] ${error.message}`);
  process.exit(1);
});
