import { Type } from '@sinclair/typebox';
import {
  Closed,
  Nullable,
  OrderId,
  OrderText,
  RunId,
  SlackChannelId,
  SlackUserId,
  Timestamp,
} from './common';

export const RunCreated = Closed(
  {
    runId: RunId,
    channelId: SlackChannelId,
    initiatorId: SlackUserId,
    pickupAt: Nullable(Timestamp),
    pickupText: Nullable(Type.String()),
    note: Nullable(Type.String()),
  },
  { title: 'RunCreated' },
);

export const RunClosed = Closed(
  {
    runId: RunId,
    channelId: SlackChannelId,
    closedById: SlackUserId,
    /** Null when nobody ordered. */
    runnerId: Nullable(SlackUserId),
    pickupAt: Nullable(Timestamp),
    orderCount: Type.Integer({ minimum: 0 }),
  },
  { title: 'RunClosed' },
);

/** A run ended without closing: its message could not be posted, or someone cancelled it. */
export const RunCancelled = Closed(
  {
    runId: RunId,
    channelId: SlackChannelId,
    /** Why, as a stable code: e.g. the Slack error that refused the run message. */
    reason: Type.String({ minLength: 1, maxLength: 128 }),
    /** Who cancelled it; null when the system did. */
    cancelledById: Nullable(SlackUserId),
  },
  { title: 'RunCancelled' },
);

const Provenance = Type.Union([Type.Literal('typed'), Type.Literal('reused_last_order')]);

export const OrderPlaced = Closed(
  { runId: RunId, orderId: OrderId, userId: SlackUserId, text: OrderText, provenance: Provenance },
  { title: 'OrderPlaced' },
);

export const OrderUpdated = Closed(
  { runId: RunId, orderId: OrderId, userId: SlackUserId, text: OrderText, provenance: Provenance },
  { title: 'OrderUpdated' },
);

export const OrderCancelled = Closed(
  { runId: RunId, orderId: OrderId, userId: SlackUserId },
  { title: 'OrderCancelled' },
);
