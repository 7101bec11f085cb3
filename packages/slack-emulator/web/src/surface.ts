import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PageConversation, PagePerson } from './types';

/** Who is reading, and how to name the people and conversations that mrkdwn mentions. */
export interface Reader {
  /** The person viewing the page. */
  userId: string;
  /** Their IANA timezone: `<!date^…>` and message times are shown in it. */
  timeZone: string;
  person(id: string): PagePerson | undefined;
  /** Everyone in the workspace, for users_select. */
  people(): PagePerson[];
  conversation(id: string): PageConversation | undefined;
  /** The reader's clock, for "today" and "ago" (tests fix it). */
  now(): Date;
}

/** A value as Slack puts it in `state.values[block_id][action_id]`. */
export type StateValue = { type: string } & Record<string, unknown>;
export type StateValues = Record<string, Record<string, StateValue>>;

/** What an interactive element reports when used: the parts of `actions[0]` of `block_actions`. */
export interface ElementAction {
  actionId: string;
  blockId: string;
  actionType: string;
  value?: string;
  selectedOption?: { text: { type: 'plain_text'; text: string }; value: string };
  selectedUser?: string;
  selectedOptions?: Array<{ text: { type: string; text: string }; value: string }>;
  /** multi_users_select: the people picked (`selected_users`). */
  selectedUsers?: string[];
  /** datepicker: the date picked (`selected_date`, `YYYY-MM-DD`). */
  selectedDate?: string;
}

/**
 * Where blocks are shown and what their controls do: a message (buttons send `block_actions`
 * for that message) or a view (inputs keep `state.values`, errors show under input blocks).
 */
export interface Surface {
  kind: 'message' | 'modal' | 'home';
  /** Sends `block_actions` for an element outside an input block (or one with dispatch_action). */
  act(action: ElementAction): void;
  /** The current value of an input element, by block_id and action_id. */
  value(blockId: string, actionId: string): StateValue | undefined;
  setValue(blockId: string, actionId: string, value: StateValue): void;
  /** Field errors by block_id (the app's `response_action: errors`, or Slack's own checks). */
  errors: Record<string, string>;
  /** Whether controls can be used (the page is connected to an app). */
  interactive: boolean;
}

export const ReaderContext = createContext<Reader | undefined>(undefined);
export const SurfaceContext = createContext<Surface | undefined>(undefined);

export function useReader(): Reader {
  const reader = useContext(ReaderContext);
  if (!reader) throw new Error('useReader() outside a ReaderContext provider');
  return reader;
}

/** A read-only surface: what blocks render with when nothing can be clicked (and in tests). */
export const STATIC_SURFACE: Surface = {
  kind: 'message',
  act: () => {},
  value: () => undefined,
  setValue: () => {},
  errors: {},
  interactive: false,
};

export function useSurface(): Surface {
  return useContext(SurfaceContext) ?? STATIC_SURFACE;
}
