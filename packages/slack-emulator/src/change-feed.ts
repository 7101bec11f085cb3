import type { StoredMessage, StoredView } from './web-api';

/**
 * What changed in the emulator, as it happens: the workspace page streams these to browsers
 * (server-sent events) so posts, `chat.update`s, deletes and views show up without a reload.
 */
export type EmulatorChange =
  /** A message was posted, updated or deleted (`deleted: true`): its whole current state. */
  | { kind: 'message'; message: StoredMessage }
  /** A view was opened, pushed, updated or published: its whole current state. */
  | { kind: 'view'; view: StoredView }
  /** The modals a person has open, bottom first (empty when none). */
  | { kind: 'modals'; userId: string; viewIds: string[] }
  /** A Web API call was answered (the same record as `GET /_emulator/calls`). */
  | { kind: 'call'; call: unknown }
  /** Injected failures or latency changed. */
  | { kind: 'faults' }
  /** People or conversations were added. */
  | { kind: 'workspace' }
  /** `reset()` emptied messages, views and calls. */
  | { kind: 'reset' };

/** `seq` numbers the changes from 1, so a reader can tell which ones a snapshot already holds. */
export type ChangeListener = (change: EmulatorChange, seq: number) => void;

/** A synchronous fan-out of changes; a listener that throws never stops the others or the emulator. */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private seq = 0;

  /** The number of the latest change (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Calls `listener` for every later change; returns the function that stops it. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(change: EmulatorChange): void {
    this.seq += 1;
    for (const listener of [...this.listeners]) {
      try {
        listener(change, this.seq);
      } catch {
        // A broken subscriber (a closed browser tab) must not fail the Web API call that changed state.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
