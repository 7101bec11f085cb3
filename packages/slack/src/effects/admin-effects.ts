import type { Tx } from '@coffeebuddy/db';
import { mrkdwnSection } from '../block-kit';
import { runEffectKinds } from './run-effects';
import { recordEffect } from './store';
import type { EffectKind, EffectKinds, RenderedCall } from './types';

/**
 * The Slack effects admin-service records besides the run kinds it shares (answers to one
 * person, the App Home): replacing a message whose run a reset removed.
 */
export const ADMIN_EFFECTS = {
  messageReplace: 'message_replace',
} as const;

/**
 * Replaces the content of a message the app posted (chat.update) with `text`, e.g. a run message
 * whose run a reset deleted, so nobody clicks its buttons. Not tied to a run (the run is gone).
 */
export function requestMessageReplace(
  tx: Tx,
  input: { key: string; teamId: string; channelId: string; ts: string; text: string; correlationId: string },
): Promise<string> {
  return recordEffect(tx, {
    kind: ADMIN_EFFECTS.messageReplace,
    key: input.key,
    teamId: input.teamId,
    channelId: input.channelId,
    payload: { ts: input.ts, text: input.text },
    correlationId: input.correlationId,
    deadlineAt: new Date(Date.now() + 60 * 60 * 1000),
  });
}

const messageReplace: EffectKind = {
  async render(_context, effect): Promise<RenderedCall> {
    const payload = effect.payload as { ts?: string; text?: string };
    if (!payload.ts || !effect.channelId) return { skip: 'no message to replace' };
    const text = payload.text ?? '';
    return {
      call: 'update',
      channel: effect.channelId,
      ts: payload.ts,
      message: { text, blocks: [mrkdwnSection(text)] },
    };
  },
};

/** Every kind admin-service delivers: the run kinds (answers, App Home) and its own. */
export const adminEffectKinds: EffectKinds = {
  ...runEffectKinds,
  [ADMIN_EFFECTS.messageReplace]: messageReplace,
};
