import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * The parts of Slack's interaction and Events API payloads the gateway reads, as schemas: a
 * signed payload that does not match (a value that is a number, a missing trigger_id) is refused
 * with 400 before anything reads it. Slack sends many more fields; they are allowed and ignored.
 * Shapes: docs.slack.dev, "Interaction payloads" (block_actions, view_submission) and the Events
 * API's `event_callback` envelope.
 */

const Id = Type.String({ minLength: 1, maxLength: 255 });
const Text = Type.String({ maxLength: 4000 });

/** An option as Slack sends it back (`selected_option(s)`): its value is what we set. */
const SelectedOption = Type.Object({ value: Type.String({ maxLength: 150 }) });
const SelectedOptions = Type.Array(SelectedOption, { maxItems: 100 });
/** Slack's `selected_date`: `YYYY-MM-DD`. */
const SlackDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const BlockActionsPayload = Type.Object({
  type: Type.Literal('block_actions'),
  team: Type.Optional(Type.Object({ id: Type.Optional(Id) })),
  user: Type.Object({ id: Id, team_id: Type.Optional(Id) }),
  channel: Type.Optional(Type.Object({ id: Type.Optional(Id) })),
  container: Type.Optional(Type.Object({ channel_id: Type.Optional(Id), message_ts: Type.Optional(Id) })),
  /** A click inside a modal or a Home tab: the view, whose metadata names the channel. */
  view: Type.Optional(
    Type.Object({ id: Id, private_metadata: Type.Optional(Type.String({ maxLength: 3000 })) }),
  ),
  actions: Type.Array(
    Type.Object({
      action_id: Id,
      block_id: Type.Optional(Id),
      value: Type.Optional(Text),
      selected_options: Type.Optional(SelectedOptions),
      selected_date: Type.Optional(Type.Union([SlackDate, Type.Null()])),
    }),
    { minItems: 1 },
  ),
  trigger_id: Id,
  response_url: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type BlockActionsPayload = Static<typeof BlockActionsPayload>;

/**
 * One input's state: a text input has `value` (a string, or null when left empty), checkboxes
 * `selected_options`, a multi_users_select `selected_users`, a datepicker `selected_date`.
 */
const InputState = Type.Object({
  value: Type.Optional(Type.Union([Type.String({ maxLength: 3000 }), Type.Null()])),
  selected_options: Type.Optional(Type.Union([SelectedOptions, Type.Null()])),
  selected_users: Type.Optional(Type.Union([Type.Array(Id, { maxItems: 100 }), Type.Null()])),
  selected_date: Type.Optional(Type.Union([SlackDate, Type.Null()])),
});

export const ViewSubmissionPayload = Type.Object({
  type: Type.Literal('view_submission'),
  team: Type.Optional(Type.Object({ id: Type.Optional(Id) })),
  user: Type.Object({ id: Id, team_id: Type.Optional(Id) }),
  view: Type.Object({
    id: Id,
    callback_id: Type.String({ maxLength: 255 }),
    private_metadata: Type.Optional(Type.String({ maxLength: 3000 })),
    state: Type.Optional(
      Type.Object({
        values: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), InputState))),
      }),
    ),
  }),
});
export type ViewSubmissionPayload = Static<typeof ViewSubmissionPayload>;

export const EventCallback = Type.Object({
  type: Type.Literal('event_callback'),
  team_id: Id,
  event_id: Type.String({ minLength: 1, maxLength: 64 }),
  event: Type.Object({
    type: Type.String(),
    channel: Type.Optional(Id),
    user: Type.Optional(Id),
    tab: Type.Optional(Type.String()),
  }),
});
export type EventCallback = Static<typeof EventCallback>;

export const checkBlockActions = TypeCompiler.Compile(BlockActionsPayload);
export const checkViewSubmission = TypeCompiler.Compile(ViewSubmissionPayload);
export const checkEventCallback = TypeCompiler.Compile(EventCallback);

/** The first schema problem, for the refusal's log line. */
export function firstProblem(
  check: { Errors(value: unknown): Iterable<{ path: string; message: string }> },
  value: unknown,
): string {
  for (const error of check.Errors(value)) return `${error.path || '/'}: ${error.message}`;
  return 'does not match';
}
