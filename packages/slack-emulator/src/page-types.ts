/**
 * The workspace page's wire format: what `GET /_emulator/page/state` answers and what
 * `GET /_emulator/page/events` streams. The browser code (web/) imports these types, so the
 * server and the page cannot drift apart.
 */
import type { SubmissionOutcome } from './app-answers';
import type { Faults, RecordedCall } from './emulator';
import type { StoredMessage, StoredView } from './web-api';

/** A message as the page gets it: the stored message without its edit history. */
export type PageMessage = Omit<StoredMessage, 'history'>;

export interface PagePerson {
  id: string;
  name: string;
  realName: string;
  /** IANA timezone, e.g. `Europe/London`; `<!date^…>` is shown in the viewer's. */
  tz: string;
  tzLabel: string;
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
}

export interface PageConversation {
  id: string;
  name: string;
  isIm: boolean;
  isPrivate: boolean;
  /** For the app's DM with a person: that person. */
  user?: string;
}

export interface PageState {
  /** The number of the latest change this state includes; events up to it are already applied. */
  seq: number;
  team: { id: string; name: string; domain: string };
  app: {
    name: string;
    appId: string;
    botUserId: string;
    /** False when the emulator has no app URL and signing secret: the page can only read. */
    connected: boolean;
    /** Slash commands the app declares, e.g. `['/coffee']`. */
    commands: string[];
  };
  people: PagePerson[];
  conversations: PageConversation[];
  /** In post order; deleted ones left out; ephemeral ones carry `visible_to`. */
  messages: PageMessage[];
  /** Modals and App Home views. */
  views: StoredView[];
  /** user ID → the modals that person has open, bottom first. */
  modals: Record<string, string[]>;
  /** The most recent Web API calls, oldest first (at most {@link PAGE_CALLS_KEPT}). */
  calls: RecordedCall[];
  faults: Faults;
}

/** How many recent Web API calls the state carries. */
export const PAGE_CALLS_KEPT = 200;

/** One server-sent event of `GET /_emulator/page/events` (JSON in `data`, `seq` also as the SSE `id`). */
export type PageEvent = { seq: number } & PageChange;

export type PageChange =
  /** Posted or updated; `deleted: true` when it was deleted. */
  | { kind: 'message'; message: PageMessage }
  | { kind: 'view'; view: StoredView }
  | { kind: 'modals'; userId: string; viewIds: string[] }
  | { kind: 'call'; call: RecordedCall }
  | { kind: 'faults'; faults: Faults }
  /** People or conversations changed, or the emulator was reset: fetch the state again. */
  | { kind: 'refresh' };

/** What the app's answer did, as the page shows it next to what the person did. */
export interface PageSendResult {
  /** HTTP status of the app's answer; absent when it timed out or could not be reached. */
  status?: number;
  latencyMs: number;
  /** A one-line reason when the app did not answer 2xx in time. */
  problem?: string;
}

export type PageSubmitResult = PageSendResult & { outcome: SubmissionOutcome };
