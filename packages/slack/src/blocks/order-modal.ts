import { ORDER_TEXT_MAX_LENGTH } from '@coffeebuddy/contracts';

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
    title: { type: 'plain_text', text: input.currentOrder ? 'Change your order' : 'Your order' },
    submit: { type: 'plain_text', text: input.currentOrder ? 'Update order' : 'Place order' },
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

export function parseOrderModalMetadata(raw: string): OrderModalMetadata | null {
  try {
    const value = JSON.parse(raw) as Partial<OrderModalMetadata>;
    return typeof value.runId === 'string' && typeof value.channelId === 'string'
      ? { runId: value.runId, channelId: value.channelId }
      : null;
  } catch {
    return null;
  }
}
