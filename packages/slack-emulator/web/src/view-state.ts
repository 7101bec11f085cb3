import { useRef, useState } from 'preact/hooks';
import { pageApi, reportProblems } from './api';
import { initialValue } from './elements';
import type { StateValue, StateValues, Surface } from './surface';
import type { Block } from './types';

/**
 * `state.values` of a surface (a modal, the App Home, a message with inputs), as Slack keeps it
 * while the person types: block_id → action_id → value. Values typed into an element survive a
 * `views.update` that keeps its block_id and action_id, as in Slack.
 */

/** Every input element of the blocks, with its initial value (what Slack reports untouched inputs as). */
export function initialState(blocks: unknown[]): StateValues {
  const values: StateValues = {};
  for (const block of blocks as Block[]) {
    if (block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = block.element as Block | undefined;
    const actionId = element?.action_id;
    const value = element ? initialValue(element) : undefined;
    if (typeof actionId !== 'string' || !value) continue;
    values[block.block_id] = { [actionId]: value };
  }
  return values;
}

/** Keeps typed values whose block and action still exist; new inputs start from their initial value. */
export function carryOver(previous: StateValues, blocks: unknown[]): StateValues {
  const next = initialState(blocks);
  for (const [blockId, actions] of Object.entries(next)) {
    for (const actionId of Object.keys(actions)) {
      const typed = previous[blockId]?.[actionId];
      if (typed) (next[blockId] as Record<string, StateValue>)[actionId] = typed;
    }
  }
  return next;
}

/**
 * Slack's own checks before a modal is submitted: a required input (no `optional: true`) must
 * have a value, and text must be at least `min_length` long. Returns block_id → message.
 */
export function clientSideErrors(blocks: unknown[], values: StateValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const block of blocks as Block[]) {
    if (block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = block.element as Block | undefined;
    const value =
      typeof element?.action_id === 'string' ? values[block.block_id]?.[element.action_id] : undefined;
    const empty =
      !value ||
      (value.type === 'plain_text_input' && (value.value === null || value.value === '')) ||
      (value.type === 'static_select' && !value.selected_option) ||
      (value.type === 'users_select' && !value.selected_user) ||
      (value.type === 'multi_users_select' &&
        (value.selected_users as unknown[] | undefined)?.length === 0) ||
      (value.type === 'datepicker' && !value.selected_date) ||
      (value.type === 'checkboxes' && (value.selected_options as unknown[] | undefined)?.length === 0);
    if (empty) {
      if (block.optional !== true) errors[block.block_id] = 'Please complete this required field.';
      continue;
    }
    const min = element?.min_length;
    if (value.type === 'plain_text_input' && typeof min === 'number' && String(value.value).length < min) {
      errors[block.block_id] = `Please enter at least ${min} characters.`;
    }
  }
  return errors;
}

/**
 * What people typed into each modal of their stack, by view ID: a view under a pushed one comes
 * back with its prior state intact when the pushed one closes, as in Slack ("Modals": the view
 * stack). Forgotten with the page.
 */
const remembered = new Map<string, StateValues>();

/**
 * A surface's values, reset from `blocks` whenever `key` (the view's ID and hash) changes;
 * with `rememberAs` (a modal's view ID) they survive the component being shown again.
 */
export function useViewState(key: string, blocks: unknown[], rememberAs?: string) {
  const [values, setValues] = useState<StateValues>(() => {
    const earlier = rememberAs ? remembered.get(rememberAs) : undefined;
    return earlier ? carryOver(earlier, blocks) : initialState(blocks);
  });
  const shownKey = useRef(key);
  let current = values;
  if (shownKey.current !== key) {
    shownKey.current = key;
    current = carryOver(values, blocks);
    setValues(current);
  }
  if (rememberAs) remembered.set(rememberAs, current);
  const value: Surface['value'] = (blockId, actionId) => current[blockId]?.[actionId];
  const setValue: Surface['setValue'] = (blockId, actionId, next) =>
    setValues((old) => ({ ...old, [blockId]: { ...old[blockId], [actionId]: next } }));
  return { values: current, value, setValue };
}

/**
 * The surface of a message, a modal or the App Home: its inputs' values, and controls that send
 * `block_actions` for it (as `userId`, with the current `state.values`), reporting problems.
 */
export function useInteractiveSurface(input: {
  kind: Surface['kind'];
  /** Changes when the content changes (view ID and hash, message ts and edit). */
  key: string;
  blocks: unknown[];
  userId: string;
  where: { channelId: string; messageTs: string } | { viewId: string };
  interactive: boolean;
  errors?: Record<string, string>;
  onProblem: (text: string) => void;
  /** A modal's view ID: its values are kept while other views are pushed on top of it. */
  rememberAs?: string;
}): { surface: Surface; values: StateValues } {
  const { values, value, setValue } = useViewState(input.key, input.blocks, input.rememberAs);
  const surface: Surface = {
    kind: input.kind,
    interactive: input.interactive,
    errors: input.errors ?? {},
    value,
    setValue,
    act: (action) =>
      reportProblems(
        pageApi.act(input.userId, input.where, action, values),
        action.actionId,
        input.onProblem,
      ),
  };
  return { surface, values };
}
