import type { Db } from './client';
import { type TransactionOptions, type Tx, withTransaction } from './transaction';

export interface DeliveredMessage {
  consumerGroup: string;
  messageId: string;
  topic: string;
  partition: number;
  offset: string;
}

export type ProcessOutcome<T> = { duplicate: true } | { duplicate: false; result: T };

/**
 * Runs a consumer's effect at most once per (consumer group, message ID): the processed-message
 * row and the effect commit in one transaction, so a redelivered message (a consumer killed
 * before it committed its offset, a rebalance) finds the row and does nothing. Concurrent
 * deliveries of one message serialise on the row's primary key.
 */
export async function processMessageOnce<T>(
  db: Db,
  delivered: DeliveredMessage,
  effect: (tx: Tx) => Promise<T>,
  options?: TransactionOptions,
): Promise<ProcessOutcome<T>> {
  return withTransaction(
    db,
    async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO processed_messages (consumer_group, message_id, topic, partition, "offset")
        VALUES (${delivered.consumerGroup}, ${delivered.messageId}, ${delivered.topic}, ${delivered.partition}, ${delivered.offset})
        ON CONFLICT (consumer_group, message_id) DO NOTHING`;
      if (inserted === 0) return { duplicate: true } as const;
      return { duplicate: false, result: await effect(tx) } as const;
    },
    options,
  );
}

/** What became of a command (see `settleCommandFate`). */
export type CommandFate = 'abandoned' | 'taken';

/**
 * Settles what becomes of a command whose publish the gateway could not confirm: the first to
 * write its row wins — the gateway writes `abandoned` when it tells the person the command
 * failed, the consumer writes `taken` in the transaction that handles it. Returns the fate that
 * stands: the consumer skips a command that comes back `abandoned`; the gateway confirms one
 * that comes back `taken`. A concurrent writer's uncommitted row makes this wait for its commit
 * (the primary key), so the answer is never a guess. `messageId` must be a UUID.
 */
export async function settleCommandFate(
  db: Db | Tx,
  messageId: string,
  fate: CommandFate,
): Promise<CommandFate> {
  const rows = await db.$queryRaw<{ fate: CommandFate }[]>`
    WITH inserted AS (
      INSERT INTO command_fates (message_id, fate) VALUES (${messageId}::uuid, ${fate})
      ON CONFLICT (message_id) DO NOTHING
      RETURNING fate
    )
    SELECT fate FROM inserted
    UNION ALL
    SELECT fate FROM command_fates WHERE message_id = ${messageId}::uuid AND NOT EXISTS (SELECT 1 FROM inserted)`;
  return rows[0]?.fate ?? fate;
}
