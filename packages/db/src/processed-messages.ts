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
