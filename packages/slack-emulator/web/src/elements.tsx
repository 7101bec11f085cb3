import { useEffect, useRef, useState } from 'preact/hooks';
import { plainText, Text } from './mrkdwn';
import { type ElementAction, type StateValue, useReader, useSurface } from './surface';
import type { Block, OptionObject, TextObject } from './types';

/**
 * Block Kit interactive elements: button, overflow, static_select, users_select,
 * multi_users_select, checkboxes, datepicker and plain_text_input. Outside input blocks a change sends `block_actions` at once (as Slack
 * does); inside input blocks it only changes the view's `state.values`. Others render as a
 * visible "unsupported element" placeholder.
 */

type Element = Block & { action_id?: string };

export interface ConfirmObject {
  title?: TextObject;
  text?: TextObject;
  confirm?: TextObject;
  deny?: TextObject;
  style?: 'primary' | 'danger';
}

export const SUPPORTED_ELEMENTS = [
  'button',
  'overflow',
  'static_select',
  'users_select',
  'multi_users_select',
  'checkboxes',
  'datepicker',
  'plain_text_input',
] as const;

/** Slack's confirmation dialog, shown before an element with `confirm` acts. */
export function ConfirmDialog({
  dialog,
  onAnswer,
}: {
  dialog: ConfirmObject;
  onAnswer: (confirmed: boolean) => void;
}) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  const title = plainText(dialog.title) || 'Are you sure?';
  return (
    <div class="overlay">
      <div
        class="dialog confirm"
        role="alertdialog"
        aria-modal="true"
        aria-label={title}
        onKeyDown={(e) => e.key === 'Escape' && onAnswer(false)}
      >
        <h2>{title}</h2>
        <p>
          <Text text={dialog.text} />
        </p>
        <div class="dialog-buttons">
          <button type="button" onClick={() => onAnswer(false)}>
            {plainText(dialog.deny) || 'Cancel'}
          </button>
          <button
            type="button"
            ref={confirmRef}
            class={dialog.style === 'danger' ? 'danger' : 'primary'}
            onClick={() => onAnswer(true)}
          >
            {plainText(dialog.confirm) || 'Yes'}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Runs `act` now, or after the person confirms when the element has a `confirm` object. */
function useConfirmed(confirm: ConfirmObject | undefined) {
  const [pending, setPending] = useState<(() => void) | undefined>(undefined);
  const run = (act: () => void) => (confirm ? setPending(() => act) : act());
  const dialog =
    confirm && pending ? (
      <ConfirmDialog
        dialog={confirm}
        onAnswer={(yes) => {
          setPending(undefined);
          if (yes) pending();
        }}
      />
    ) : null;
  return { run, dialog };
}

function Button({ element, blockId }: { element: Element; blockId: string }) {
  const surface = useSurface();
  const { run, dialog } = useConfirmed(element.confirm as ConfirmObject | undefined);
  const style = element.style === 'primary' || element.style === 'danger' ? element.style : 'default';
  const url = typeof element.url === 'string' ? element.url : undefined;
  const click = () =>
    run(() => {
      // A link button opens its URL and still sends block_actions, as at Slack.
      if (url && /^https?:/i.test(url)) window.open(url, '_blank', 'noopener,noreferrer');
      surface.act({
        actionId: String(element.action_id ?? ''),
        blockId,
        actionType: 'button',
        ...(typeof element.value === 'string' ? { value: element.value } : {}),
      });
    });
  return (
    <>
      <button
        type="button"
        class={`block-button ${style}`}
        disabled={!surface.interactive}
        aria-label={typeof element.accessibility_label === 'string' ? element.accessibility_label : undefined}
        onClick={click}
      >
        <Text text={element.text as TextObject} />
      </button>
      {dialog}
    </>
  );
}

function optionsOf(element: Element): OptionObject[] {
  if (Array.isArray(element.options)) return element.options as OptionObject[];
  if (Array.isArray(element.option_groups)) {
    return (element.option_groups as Array<{ options?: OptionObject[] }>).flatMap((g) => g.options ?? []);
  }
  return [];
}

/** `selected_option` as Slack sends it: text and value of the chosen option. */
function chosen(option: OptionObject): ElementAction['selectedOption'] {
  return { text: { type: 'plain_text', text: plainText(option.text) }, value: option.value };
}

function Overflow({ element, blockId }: { element: Element; blockId: string }) {
  const surface = useSurface();
  const [open, setOpen] = useState(false);
  const { run, dialog } = useConfirmed(element.confirm as ConfirmObject | undefined);
  const options = optionsOf(element);
  return (
    <span class="overflow">
      <button
        type="button"
        class="block-button overflow-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label="More options"
        disabled={!surface.interactive}
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <div class="overflow-menu" role="menu">
          {options.map((option) => (
            <button
              key={option.value}
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                run(() =>
                  surface.act({
                    actionId: String(element.action_id ?? ''),
                    blockId,
                    actionType: 'overflow',
                    selectedOption: chosen(option),
                  }),
                );
              }}
            >
              {plainText(option.text)}
            </button>
          ))}
        </div>
      )}
      {dialog}
    </span>
  );
}

/** What a control needs to be labelled and to report into an input block. */
export interface ControlProps {
  element: Element;
  blockId: string;
  /** Inside an input block: the value goes to state.values (and block_actions only with dispatch_action). */
  inInput: boolean;
  dispatch: boolean;
  /** The id of the input block's <label>, or undefined outside input blocks. */
  labelId?: string;
  describedBy?: string;
  invalid?: boolean;
}

function useControl(props: ControlProps) {
  const surface = useSurface();
  const actionId = String(props.element.action_id ?? '');
  const stored = surface.value(props.blockId, actionId);
  const change = (value: StateValue, action: Omit<ElementAction, 'actionId' | 'blockId' | 'actionType'>) => {
    surface.setValue(props.blockId, actionId, value);
    if (!props.inInput || props.dispatch) {
      surface.act({ actionId, blockId: props.blockId, actionType: value.type, ...action });
    }
  };
  const aria = {
    'aria-labelledby': props.labelId,
    'aria-describedby': props.describedBy,
    'aria-invalid': props.invalid ? true : undefined,
  };
  return { surface, actionId, stored, change, aria };
}

/** A native <select> with Slack's placeholder as its first, unselectable choice. */
function SelectControl({
  props,
  fallbackPlaceholder,
  current,
  choices,
  onPick,
}: {
  props: ControlProps;
  fallbackPlaceholder: string;
  current: string;
  choices: Array<{ value: string; label: string }>;
  onPick: (value: string) => void;
}) {
  const { surface, aria } = useControl(props);
  const placeholder = plainText(props.element.placeholder as TextObject | undefined) || fallbackPlaceholder;
  return (
    <select
      class="block-select"
      {...aria}
      aria-label={props.labelId ? undefined : placeholder}
      disabled={!surface.interactive}
      value={current}
      onChange={(e) => onPick(e.currentTarget.value)}
    >
      <option value="" disabled>
        {placeholder}
      </option>
      {choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
}

function StaticSelect(props: ControlProps) {
  const { stored, change } = useControl(props);
  const options = optionsOf(props.element);
  const initial = props.element.initial_option as OptionObject | undefined;
  return (
    <SelectControl
      props={props}
      fallbackPlaceholder="Select an option"
      current={(stored?.selected_option as OptionObject | undefined)?.value ?? initial?.value ?? ''}
      choices={options.map((o) => ({ value: o.value, label: plainText(o.text) }))}
      onPick={(value) => {
        const option = options.find((o) => o.value === value);
        if (option)
          change({ type: 'static_select', selected_option: option }, { selectedOption: chosen(option) });
      }}
    />
  );
}

function UsersSelect(props: ControlProps) {
  const reader = useReader();
  const { stored, change } = useControl(props);
  return (
    <SelectControl
      props={props}
      fallbackPlaceholder="Select a person"
      current={
        (stored?.selected_user as string | undefined) ??
        (props.element.initial_user as string | undefined) ??
        ''
      }
      choices={reader
        .people()
        .filter((p) => !p.isBot)
        .map((p) => ({ value: p.id, label: `${p.realName} (@${p.name})` }))}
      onPick={(id) => change({ type: 'users_select', selected_user: id }, { selectedUser: id })}
    />
  );
}

/** multi_users_select: a native multiple <select> of the workspace's people (`selected_users`). */
function MultiUsersSelect(props: ControlProps) {
  const reader = useReader();
  const { surface, stored, change, aria } = useControl(props);
  const selected =
    (stored?.selected_users as string[] | undefined) ??
    (props.element.initial_users as string[] | undefined) ??
    [];
  const placeholder = plainText(props.element.placeholder as TextObject | undefined) || 'Select people';
  return (
    <select
      multiple
      class="block-select multi"
      {...aria}
      aria-label={props.labelId ? undefined : placeholder}
      disabled={!surface.interactive}
      onChange={(e) => {
        const ids = [...e.currentTarget.options].filter((o) => o.selected).map((o) => o.value);
        change({ type: 'multi_users_select', selected_users: ids }, { selectedUsers: ids });
      }}
    >
      {reader
        .people()
        .filter((p) => !p.isBot)
        .map((p) => (
          <option key={p.id} value={p.id} selected={selected.includes(p.id)}>
            {`${p.realName} (@${p.name})`}
          </option>
        ))}
    </select>
  );
}

/** datepicker: a native date input (`selected_date`, `YYYY-MM-DD`). */
function Datepicker(props: ControlProps) {
  const { surface, stored, change, aria } = useControl(props);
  const value =
    (stored?.selected_date as string | null | undefined) ??
    (props.element.initial_date as string | undefined) ??
    '';
  const placeholder = plainText(props.element.placeholder as TextObject | undefined) || 'Select a date';
  return (
    <input
      type="date"
      class="block-input date"
      {...aria}
      aria-label={props.labelId ? undefined : placeholder}
      disabled={!surface.interactive}
      value={value}
      onChange={(e) => {
        const date = e.currentTarget.value;
        if (date) change({ type: 'datepicker', selected_date: date }, { selectedDate: date });
      }}
    />
  );
}

function Checkboxes(props: ControlProps) {
  const { surface, stored, change, aria } = useControl(props);
  const options = optionsOf(props.element);
  const initial = ((props.element.initial_options as OptionObject[] | undefined) ?? []).map((o) => o.value);
  const selected = stored
    ? ((stored.selected_options as OptionObject[] | undefined) ?? []).map((o) => o.value)
    : initial;
  return (
    <fieldset class="checkboxes" {...aria}>
      {options.map((option) => (
        <label key={option.value} class="checkbox">
          <input
            type="checkbox"
            disabled={!surface.interactive}
            checked={selected.includes(option.value)}
            onChange={(e) => {
              const values = e.currentTarget.checked
                ? [...selected, option.value]
                : selected.filter((v) => v !== option.value);
              const picked = options.filter((o) => values.includes(o.value));
              change({ type: 'checkboxes', selected_options: picked }, { selectedOptions: picked });
            }}
          />
          <span>
            <Text text={option.text} />
            {option.description && (
              <small class="option-description">
                <Text text={option.description} />
              </small>
            )}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function PlainTextInput(props: ControlProps) {
  const { surface, stored, change, aria, actionId } = useControl(props);
  const element = props.element;
  const value = (stored?.value as string | undefined) ?? (element.initial_value as string | undefined) ?? '';
  const placeholder = plainText(element.placeholder as TextObject | undefined);
  const common = {
    ...aria,
    class: 'block-input',
    placeholder,
    value,
    disabled: !surface.interactive,
    maxLength: typeof element.max_length === 'number' ? element.max_length : undefined,
    minLength: typeof element.min_length === 'number' ? element.min_length : undefined,
    onInput: (e: Event) => {
      const text = (e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value;
      surface.setValue(props.blockId, actionId, { type: 'plain_text_input', value: text });
    },
  };
  if (element.multiline === true) return <textarea rows={4} {...common} />;
  return (
    <input
      type="text"
      {...common}
      onKeyDown={(e) => {
        // dispatch_action: Enter sends block_actions with the value, as Slack's default trigger.
        if (e.key === 'Enter' && props.dispatch) {
          e.preventDefault();
          change(
            { type: 'plain_text_input', value: e.currentTarget.value },
            { value: e.currentTarget.value },
          );
        }
      }}
    />
  );
}

/** A visible stand-in for what the page cannot show, so nothing disappears silently. */
export function Unsupported({ what, type }: { what: 'block' | 'element'; type: string }) {
  return (
    <div class="unsupported" role="note">
      Unsupported {what}: <code>{type}</code> (the workspace page does not render it)
    </div>
  );
}

/** Any element, outside input blocks (actions blocks, section accessories). */
export function ElementView({ element, blockId }: { element: Element; blockId: string }) {
  const control: ControlProps = { element, blockId, inInput: false, dispatch: true };
  switch (element.type) {
    case 'button':
      return <Button element={element} blockId={blockId} />;
    case 'overflow':
      return <Overflow element={element} blockId={blockId} />;
    case 'static_select':
      return <StaticSelect {...control} />;
    case 'users_select':
      return <UsersSelect {...control} />;
    case 'multi_users_select':
      return <MultiUsersSelect {...control} />;
    case 'checkboxes':
      return <Checkboxes {...control} />;
    case 'datepicker':
      return <Datepicker {...control} />;
    case 'plain_text_input':
      return <PlainTextInput {...control} />;
    default:
      return <Unsupported what="element" type={element.type} />;
  }
}

/** The element of an input block. */
export function InputControl(props: ControlProps) {
  switch (props.element.type) {
    case 'plain_text_input':
      return <PlainTextInput {...props} />;
    case 'static_select':
      return <StaticSelect {...props} />;
    case 'users_select':
      return <UsersSelect {...props} />;
    case 'multi_users_select':
      return <MultiUsersSelect {...props} />;
    case 'checkboxes':
      return <Checkboxes {...props} />;
    case 'datepicker':
      return <Datepicker {...props} />;
    default:
      return <Unsupported what="element" type={props.element.type} />;
  }
}

/** The value an input element starts with, as Slack puts it in `state.values`. */
export function initialValue(element: Element): StateValue | undefined {
  switch (element.type) {
    case 'plain_text_input':
      return typeof element.initial_value === 'string'
        ? { type: 'plain_text_input', value: element.initial_value }
        : { type: 'plain_text_input', value: null };
    case 'static_select':
      return { type: 'static_select', selected_option: element.initial_option ?? null };
    case 'users_select':
      return { type: 'users_select', selected_user: element.initial_user ?? null };
    case 'multi_users_select':
      return { type: 'multi_users_select', selected_users: element.initial_users ?? [] };
    case 'checkboxes':
      return { type: 'checkboxes', selected_options: element.initial_options ?? [] };
    case 'datepicker':
      return { type: 'datepicker', selected_date: element.initial_date ?? null };
    default:
      return undefined;
  }
}
