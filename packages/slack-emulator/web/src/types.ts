// The page's wire format comes from the emulator's own declaration (src/page-types.ts), so the
// server and the page cannot drift apart. Type-only: nothing of the server is bundled.
export type * from '../../src/page-types';

/** A Block Kit block or element as the app sent it: checked by the emulator, read loosely here. */
export type Block = { type: string; block_id?: string } & Record<string, unknown>;

/** A Block Kit text object. */
export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
  verbatim?: boolean;
}

export interface OptionObject {
  text: TextObject;
  value: string;
  description?: TextObject;
}
