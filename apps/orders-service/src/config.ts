import { parseConfig, WorkerConfigProperties } from '@coffeebuddy/service-kit';
import { SlackConfigProperties } from '@coffeebuddy/slack';
import { type Static, Type } from '@sinclair/typebox';

/** Settings of orders-service, validated once at start-up. */
export const OrdersConfigSchema = Type.Object({
  ...WorkerConfigProperties,
  ...SlackConfigProperties,
  OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9465 }),
});

export type OrdersConfig = Static<typeof OrdersConfigSchema>;

export const loadOrdersConfig = (env: Record<string, string | undefined>): OrdersConfig =>
  parseConfig(OrdersConfigSchema, env);
