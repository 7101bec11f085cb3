import { Type } from '@sinclair/typebox';
import { Closed, NOTE_MAX_LENGTH, Nullable, StringEnum, Timestamp } from './common';

/**
 * What the gateway publishes after verifying a Slack request: the parts of Slack's payload the
 * services need, never the raw request. The envelope carries team, channel and user IDs.
 */

export const SlashCommand = Closed(
  {
    command: Type.String({ pattern: '^/', maxLength: 32 }),
    /**
     * The text after the command, as Slack sent it (escaped, with its control sequences); a
     * service that keeps the note's mentions and links reads them from here (`notePartsFrom`).
     */
    text: Type.String({ maxLength: 4000 }),
    /** What the gateway understood the text to ask for. */
    intent: StringEnum(['start_run', 'admin']),
    /** For `start_run`: the validated pickup time and note. */
    run: Type.Optional(
      Closed({
        pickupAt: Nullable(Timestamp),
        pickupText: Nullable(Type.String({ maxLength: 64 })),
        /** The note as the person typed it (decoded, never escaped). */
        note: Nullable(Type.String({ maxLength: NOTE_MAX_LENGTH })),
      }),
    ),
    triggerId: Type.String({ minLength: 1 }),
    responseUrl: Type.String({ format: 'uri' }),
    /** Slack's `channel_name` (what a reset asks the admin to type). */
    channelName: Type.Optional(Type.String({ maxLength: 255 })),
    /** When Slack sent the request (its X-Slack-Request-Timestamp). */
    receivedAt: Timestamp,
  },
  { title: 'SlashCommand', description: 'A verified slash command from Slack' },
);

export const BlockAction = Closed(
  {
    actionId: Type.String({ minLength: 1, maxLength: 255 }),
    blockId: Type.Optional(Type.String({ maxLength: 255 })),
    value: Type.Optional(Type.String({ maxLength: 2000 })),
    triggerId: Type.String({ minLength: 1 }),
    responseUrl: Type.Optional(Type.String({ format: 'uri' })),
    /** ts of the message the button is on. */
    messageTs: Type.Optional(Type.String()),
    /** checkboxes: the values of the options ticked now (all of them; none is `[]`). */
    selectedOptions: Type.Optional(Type.Array(Type.String({ maxLength: 150 }), { maxItems: 100 })),
    /** datepicker: the date picked, `YYYY-MM-DD` (Slack's `selected_date`). */
    selectedDate: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    /** A click inside a view (modal or Home tab): its ID. */
    viewId: Type.Optional(Type.String({ maxLength: 255 })),
    receivedAt: Timestamp,
  },
  { title: 'BlockAction', description: 'A click on an interactive element' },
);

export const ViewSubmission = Closed(
  {
    callbackId: Type.String({ minLength: 1, maxLength: 255 }),
    viewId: Type.String({ minLength: 1 }),
    privateMetadata: Type.String({ maxLength: 3000 }),
    /**
     * Input values keyed `<block_id>.<action_id>`, already validated by the gateway: a text
     * input's text, a select's value, a datepicker's `YYYY-MM-DD`; inputs holding several values
     * (checkboxes, multi_users_select) as the values joined by commas (none: empty string).
     */
    values: Type.Record(Type.String(), Nullable(Type.String({ maxLength: 3000 }))),
    receivedAt: Timestamp,
  },
  { title: 'ViewSubmission', description: 'A submitted modal' },
);

export const AppHomeOpened = Closed(
  {
    /** Slack's event_id: retries of one event carry the same one. */
    eventId: Type.String({ minLength: 1, maxLength: 64 }),
    tab: StringEnum(['home', 'messages']),
    receivedAt: Timestamp,
  },
  { title: 'AppHomeOpened', description: 'A person opened the app home (Events API)' },
);
