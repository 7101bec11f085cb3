import { isUuid, ORDER_TEXT_MAX_LENGTH } from '@coffeebuddy/contracts';
import { BLOCK_KIT_LIMITS, clampText } from '../block-kit';

/** The order modal: one text input, prefilled with the person's current order when editing. */

export const ORDER_MODAL = {
  callbackId: 'order_modal',
  blockId: 'order',
  actionId: 'text',
  maxLength: ORDER_TEXT_MAX_LENGTH,
} as const;

export interface OrderModalMetadata {
  runId: string;
  channelId: string;
}

export function buildOrderModal(input: {
  runId: string;
  channelId: string;
  currentOrder: string | null;
}): Record<string, unknown> {
  const metadata: OrderModalMetadata = { runId: input.runId, channelId: input.channelId };
  return {
    type: 'modal',
    callback_id: ORDER_MODAL.callbackId,
    private_metadata: JSON.stringify(metadata),
    title: {
      type: 'plain_text',
      text: clampText(input.currentOrder ? 'Change your order' : 'Your order', BLOCK_KIT_LIMITS.viewTitle),
    },
    submit: {
      type: 'plain_text',
      text: clampText(input.currentOrder ? 'Update order' : 'Place order', BLOCK_KIT_LIMITS.viewTitle),
    },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: ORDER_MODAL.blockId,
        label: { type: 'plain_text', text: 'What would you like?' },
        element: {
          type: 'plain_text_input',
          action_id: ORDER_MODAL.actionId,
          max_length: ORDER_MODAL.maxLength,
          placeholder: { type: 'plain_text', text: 'e.g. large oat flat white, extra hot' },
          ...(input.currentOrder ? { initial_value: input.currentOrder } : {}),
        },
      },
    ],
  };
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/**
 * The modal's `private_metadata` back from a submission, or null when it is not what
 * `buildOrderModal` wrote (a run ID that is not a UUID, a channel ID that is not Slack's, not
 * JSON at all): such a value must never reach a query.
 */
export function parseOrderModalMetadata(raw: unknown): OrderModalMetadata | null {
  if (typeof raw !== 'string' || raw.length > BLOCK_KIT_LIMITS.privateMetadata) return null;
  try {
    const value = JSON.parse(raw) as Partial<OrderModalMetadata> | null;
    return typeof value?.runId === 'string' &&
      isUuid(value.runId) &&
      typeof value.channelId === 'string' &&
      CHANNEL_ID.test(value.channelId)
      ? { runId: value.runId, channelId: value.channelId }
      : null;
  } catch {
    return null;
  }
}
