import { consumerGroupFor, TOPICS } from '@coffeebuddy/contracts';
import { OUTBOX_RELAY, startWorker, type Worker } from '@coffeebuddy/service-kit';
import { ORDER_MODAL, RUN_ACTIONS, type SlackWorkerResources } from '@coffeebuddy/slack';
import type { Logger } from 'pino';
import type { OrdersConfig } from './config';
import { cancelOrder, openOrderModal, reuseLastOrder, submitOrder } from './handlers/orders';

/** What the process built at start-up (slackWorkerResources), plus config and logger. */
export interface OrdersWorkerDeps extends SlackWorkerResources {
  config: Pick<
    OrdersConfig,
    | 'OPS_HOST'
    | 'OPS_PORT'
    | 'OUTBOX_INTERVAL_MS'
    | 'SHUTDOWN_TIMEOUT_MS'
    | 'CONSUMER_GROUP'
    | 'PARTITIONS_CONCURRENTLY'
    | 'HANDLER_TIMEOUT_MS'
    | 'KAFKA_SESSION_TIMEOUT_MS'
  >;
  logger: Logger;
}

/** orders-service as a worker: consumes order commands, relays its outbox, delivers its Slack effects. */
export async function startOrdersWorker(deps: OrdersWorkerDeps): Promise<Worker> {
  let worker: Worker | undefined;
  const orderDeps = {
    db: deps.db,
    slack: deps.slack,
    effects: deps.effects,
    wakeOutbox: () => worker?.wake(OUTBOX_RELAY),
  };
  worker = await startWorker({
    service: 'orders-service',
    logger: deps.logger,
    metricsRegistry: deps.metricsRegistry,
    kafka: deps.kafka,
    messageRegistry: deps.messageRegistry,
    ops: { host: deps.config.OPS_HOST, port: deps.config.OPS_PORT },
    shutdownTimeoutMs: deps.config.SHUTDOWN_TIMEOUT_MS,
    database: { db: deps.db, outboxIntervalMs: deps.config.OUTBOX_INTERVAL_MS },
    pollers: [deps.effects.poller],
    resources: deps.resources,
    consumers: [
      {
        groupId: deps.config.CONSUMER_GROUP ?? consumerGroupFor('orders-service'),
        partitionsConcurrently: deps.config.PARTITIONS_CONCURRENTLY,
        handlerTimeoutMs: deps.config.HANDLER_TIMEOUT_MS,
        sessionTimeoutMs: deps.config.KAFKA_SESSION_TIMEOUT_MS,
        topics: [TOPICS.orderCommands],
        handler: async (message, context) => {
          if (message.type === 'block_action') {
            if (message.payload.actionId === RUN_ACTIONS.placeOrder)
              return openOrderModal(orderDeps, message, context);
            if (message.payload.actionId === RUN_ACTIONS.useLastOrder)
              return reuseLastOrder(orderDeps, message, context);
            if (message.payload.actionId === RUN_ACTIONS.cancelOrder)
              return cancelOrder(orderDeps, message, context);
          }
          if (message.type === 'view_submission' && message.payload.callbackId === ORDER_MODAL.callbackId) {
            return submitOrder(orderDeps, message, context);
          }
          context.logger.info({ type: message.type }, 'not handled by orders-service; skipped');
          return undefined;
        },
      },
    ],
  });
  return worker;
}
