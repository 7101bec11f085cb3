import type { ElementAction, StateValues } from './surface';
import type { PageEvent, PageSendResult, PageState, PageSubmitResult } from './types';

/** The emulator's page routes (src/workspace-page.ts), from the browser. */

const BASE = '/_emulator/page';

/** A refused request: the emulator's `{ error, message }`, or the HTTP status when there is none. */
export class PageApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${BASE}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const { error, message } = (parsed ?? {}) as { error?: string; message?: string };
    throw new PageApiError(
      response.status,
      error ?? `http_${response.status}`,
      message ?? response.statusText,
    );
  }
  return parsed as T;
}

export const pageApi = {
  state: () => request<PageState>('/state'),

  /** The composer: `/command …` goes to the app as a slash command; other text is a message. */
  send: (userId: string, channelId: string, text: string) =>
    request<PageSendResult & { ts?: string }>('/messages', { userId, channelId, text }),

  act: (
    userId: string,
    where: { channelId: string; messageTs: string } | { viewId: string },
    action: ElementAction,
    stateValues?: StateValues,
  ) =>
    request<PageSendResult>('/actions', {
      userId,
      ...where,
      ...action,
      ...(stateValues ? { stateValues } : {}),
    }),

  submit: (userId: string, viewId: string, values: StateValues) =>
    request<PageSubmitResult>('/submissions', { userId, viewId, values }),

  closeView: (userId: string, viewId: string) =>
    request<{ closed: string }>('/closed-views', { userId, viewId }),

  homeOpened: (userId: string, tab: 'home' | 'messages') =>
    request<PageSendResult & { channelId: string }>('/home-opened', { userId, tab }),

  addPerson: (input: { name: string; realName?: string; tz: string }) =>
    request<{ id: string; name: string }>('/people', input),

  failNext: (input: { method: string; error?: string; status?: number; times?: number }) =>
    fetch('/_emulator/fail-next', jsonPost(input)).then(check),

  setLatency: (ms: number) => fetch('/_emulator/latency', jsonPost({ ms })).then(check),

  clearFaults: () => fetch('/_emulator/fail-next', { method: 'DELETE' }).then(check),
};

function jsonPost(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function check(response: Response): Promise<void> {
  if (response.ok) return;
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  throw new PageApiError(response.status, 'refused', body.error ?? response.statusText);
}

/**
 * Reports what went wrong with a send, in one line for the person: the app's misbehaviour
 * (`problem`) or the emulator's refusal, prefixed with what was sent.
 */
export function reportProblems(
  send: Promise<PageSendResult>,
  what: string,
  onProblem: (text: string) => void,
): void {
  send
    .then((result) => result.problem && onProblem(`${what}: ${result.problem}`))
    .catch((error: Error) => onProblem(`${what}: ${error.message}`));
}

/**
 * Follows the emulator's changes: calls `onEvent` for each, `onOpen` whenever the stream
 * (re)connects (the caller fetches a fresh snapshot then, so nothing missed while disconnected
 * is lost) and `onDown` while it is disconnected. Returns the function that stops it.
 */
export function followChanges(handlers: {
  onEvent: (event: PageEvent) => void;
  onOpen: () => void;
  onDown: () => void;
}): () => void {
  const source = new EventSource(`${BASE}/events`);
  source.addEventListener('ready', () => handlers.onOpen());
  source.onmessage = (message) => handlers.onEvent(JSON.parse(message.data) as PageEvent);
  source.onerror = () => handlers.onDown();
  return () => source.close();
}
