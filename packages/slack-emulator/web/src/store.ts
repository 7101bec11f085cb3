import type { PageEvent, PageMessage, PageState } from './types';

/**
 * The page's copy of the emulator's state: a snapshot from `/_emulator/page/state`, kept current
 * by the server-sent events that follow it. Pure functions, so they are tested without a browser.
 */

/** The calls the developer panel keeps (the newest). */
export const CALLS_KEPT = 200;

function byTs(a: PageMessage, b: PageMessage): number {
  return Number(a.ts) - Number(b.ts);
}

/**
 * Applies one event to the state and returns the new state (the old one is left as it was).
 * Events the snapshot already holds (`seq` ≤ `state.seq`) change nothing; `refresh` is the
 * caller's cue to fetch a new snapshot and is ignored here.
 */
export function applyEvent(state: PageState, event: PageEvent): PageState {
  if (event.seq <= state.seq) return state;
  const next: PageState = { ...state, seq: event.seq };
  switch (event.kind) {
    case 'message': {
      const { message } = event;
      const others = state.messages.filter((m) => !(m.channel === message.channel && m.ts === message.ts));
      next.messages = message.deleted ? others : [...others, message].sort(byTs);
      return next;
    }
    case 'view': {
      const others = state.views.filter((v) => v.view.id !== event.view.view.id);
      next.views = [...others, event.view];
      return next;
    }
    case 'modals': {
      const modals = { ...state.modals };
      if (event.viewIds.length === 0) delete modals[event.userId];
      else modals[event.userId] = event.viewIds;
      next.modals = modals;
      return next;
    }
    case 'call':
      next.calls = [...state.calls, event.call].slice(-CALLS_KEPT);
      return next;
    case 'faults':
      next.faults = event.faults;
      return next;
    case 'refresh':
      return next;
  }
}

/** The messages a person sees in a conversation: everyone's, plus ephemeral ones meant for them. */
export function visibleMessages(state: PageState, channelId: string, userId: string): PageMessage[] {
  return state.messages.filter((m) => m.channel === channelId && (!m.ephemeral || m.visible_to === userId));
}

/** The app's DM with a person, if Slack has opened one. */
export function appDmOf(state: PageState, userId: string) {
  return state.conversations.find((c) => c.isIm && c.user === userId);
}

/** The App Home the app published for a person. */
export function homeOf(state: PageState, userId: string) {
  return state.views.find((v) => v.userId === userId && v.view.type === 'home');
}

/** The modal a person sees: the top of their stack. */
export function topModalOf(state: PageState, userId: string) {
  const stack = state.modals[userId] ?? [];
  const top = stack[stack.length - 1];
  return top ? state.views.find((v) => v.view.id === top) : undefined;
}
