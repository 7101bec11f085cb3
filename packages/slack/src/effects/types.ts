import type { Db, SlackEffect, Tx } from '@coffeebuddy/db';
import type { Logger } from 'pino';
import type { SlackMessage } from '../blocks/run-message';
import type { SlackActions } from '../slack-actions';

/**
 * Slack effects (DESIGN §9). A state change records the Slack calls it implies as rows in the
 * same transaction (`recordEffect`); a deliverer claims due rows, renders each from the database
 * as it is now, calls Slack and records the outcome. This file holds the shapes every kind of
 * effect shares.
 */

/** An effect row as the deliverer holds it after claiming it. */
export type ClaimedEffect = SlackEffect & {
  /** The claim took over a lapsed one, or an earlier attempt's outcome is unknown: check first. */
  recovering: boolean;
};

/** What one delivery does, decided by the kind's `render` from the current state. */
export type RenderedCall =
  /**
   * chat.postMessage of one or more messages, in order, to a channel — or to a person's DM with
   * the app when `dm` is set (`channel` is then a user ID). Each post carries the effect ID in
   * its metadata, so a post whose answer was lost is found in the history instead of repeated.
   */
  | { call: 'post'; channel: string; messages: SlackMessage[]; dm?: boolean }
  /** chat.update of a message the app posted (idempotent: the last update wins). */
  | { call: 'update'; channel: string; ts: string; message: SlackMessage }
  /** views.publish of a person's App Home (idempotent). */
  | { call: 'publish_home'; userId: string; view: Record<string, unknown> }
  /**
   * An answer only `userId` sees: through the interaction's `response_url` when there is one
   * (it works where the app is not a channel member), else chat.postEphemeral in `channel`.
   */
  | { call: 'tell'; channel: string; userId: string; text: string; responseUrl?: string }
  /** Nothing to send any more (the run is gone, already done): recorded as cancelled. */
  | { skip: string }
  /** Not ready yet (the message to update is still being posted): look again after `ms`. */
  | { defer: number; reason: string };

/** What a successful delivery returned. */
export interface SentResult {
  /** Where it landed (a DM's D… ID for DMs). */
  channel?: string;
  /** ts of each posted message, in order (the first is the effect's `slack_ts`). */
  ts: string[];
  /** The post was found in the channel's history, not sent again. */
  recovered: boolean;
}

/** Why an effect failed for good. */
export interface EffectFailure {
  /** Slack's error code (`restricted_action`, `message_not_found`, …) or `deadline_exceeded`. */
  code: string;
  message: string;
}

export interface EffectRenderContext {
  db: Db;
  slack: SlackActions;
  logger: Logger;
}

/**
 * One kind of effect. `render` reads the database and says what to call; `onSent` and
 * `onFailed` run in the transaction that records the outcome, so what the flow does next (store
 * the message ts, cancel a run whose message was refused, tell someone) is atomic with it.
 */
export interface EffectKind {
  render(context: EffectRenderContext, effect: ClaimedEffect): Promise<RenderedCall>;
  onSent?(tx: Tx, effect: ClaimedEffect, sent: SentResult): Promise<void>;
  onFailed?(tx: Tx, effect: ClaimedEffect, failure: EffectFailure): Promise<void>;
}

/** Every kind a deliverer handles, by name. */
export type EffectKinds = Record<string, EffectKind>;

/** What a flow records: one Slack call it implies, identified by its cause. */
export interface EffectInput {
  kind: string;
  /** The cause, unique across all effects (e.g. `run:<id>:summary`): recording it twice is a no-op. */
  key: string;
  teamId: string;
  channelId?: string | null;
  userId?: string | null;
  runId?: string | null;
  /** What the kind needs besides the database (a response_url, a text). JSON. */
  payload?: Record<string, unknown>;
  correlationId: string;
  /** When to send; now by default (reminders are due later). */
  dueAt?: Date;
  /** No retries after this; by default `dueAt` + the deliverer's default window. */
  deadlineAt?: Date;
}
