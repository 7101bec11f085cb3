import { fireEvent, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { Blocks } from '../src/blocks';
import fixtures from './fixtures/blocks.json';
import { recordingSurface, renderWith } from './support';

const show = (
  blocks: unknown[],
  kind: 'message' | 'modal' = 'message',
  errors: Record<string, string> = {},
) => {
  const recording = recordingSurface(kind, errors);
  const rendered = renderWith(<Blocks blocks={blocks} />, { surface: recording.surface });
  return { ...recording, ...rendered };
};

describe('Block Kit blocks', () => {
  it('header: a heading with plain text', () => {
    show([fixtures.header]);
    expect(screen.getByRole('heading', { name: '☕ Coffee run' })).toBeTruthy();
  });

  it('section with mrkdwn: formatting, mentions and dates in the reader’s timezone', () => {
    const { container } = show([fixtures.sectionMrkdwn]);
    expect(container.textContent).toBe('Pickup: 11:00 AM   Started by: @ada');
    expect(container.querySelector('strong')?.textContent).toBe('Pickup:');
  });

  it('section with plain_text: shown as typed', () => {
    const { container } = show([fixtures.sectionPlain]);
    expect(container.textContent).toBe('*as typed*');
  });

  it('section with fields: each field in the grid', () => {
    const { container } = show([fixtures.sectionFields]);
    const fields = [...container.querySelectorAll('.section-field')].map((f) => f.textContent);
    expect(fields).toEqual(['Runner\n@grace', 'Drinks\n3', 'Pickup at the front desk']);
  });

  it('section with a button accessory sends block_actions with the section’s block_id', () => {
    const { actions } = show([fixtures.sectionButtonAccessory]);
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    expect(actions).toEqual([
      { actionId: 'edit_order', blockId: 's4', actionType: 'button', value: 'run-1' },
    ]);
  });

  it('section with an overflow accessory: a menu whose choice is sent as selected_option', () => {
    const { actions } = show([fixtures.sectionOverflowAccessory]);
    fireEvent.click(screen.getByRole('button', { name: 'More options' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Leave run' }));
    expect(actions).toEqual([
      {
        actionId: 'run_menu',
        blockId: 's5',
        actionType: 'overflow',
        selectedOption: { text: { type: 'plain_text', text: 'Leave run' }, value: 'leave' },
      },
    ]);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('section with an image accessory: its alt text (images are not fetched)', () => {
    show([fixtures.sectionImageAccessory]);
    expect(screen.getByRole('img', { name: 'the blue door' })).toBeTruthy();
  });

  it('context: mrkdwn, plain text and image alt text side by side', () => {
    const { container } = show([fixtures.context]);
    expect(container.querySelector('.block-context')?.textContent).toBe(
      'Why @grace: fewest runsplain context🖼 cup',
    );
    expect(container.querySelector('.block-context em')?.textContent).toBe('fewest runs');
  });

  it('divider: a rule', () => {
    const { container } = show([fixtures.divider]);
    expect(container.querySelector('hr.block-divider')).not.toBeNull();
  });

  it('actions with buttons: styles, values, and Slack’s confirm dialog before a confirmed button acts', () => {
    const { actions } = show([fixtures.actionsButtons]);
    const place = screen.getByRole('button', { name: 'Place order' });
    expect(place.className).toContain('primary');
    expect(screen.getByRole('button', { name: 'Close run' }).className).toContain('danger');
    expect(screen.getByRole('button', { name: 'Use my last order' }).className).toContain('default');
    fireEvent.click(place);
    expect(actions).toEqual([
      { actionId: 'place_order', blockId: 'run_actions', actionType: 'button', value: 'run-1' },
    ]);

    fireEvent.click(screen.getByRole('button', { name: 'Close run' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Close this run?' });
    expect(dialog.textContent).toContain('Nobody can order after it closes.');
    fireEvent.click(screen.getByRole('button', { name: 'Keep it open' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(actions).toHaveLength(1);

    fireEvent.click(screen.getByRole('button', { name: 'Close run' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Close this run?' });
    fireEvent.click(confirm.querySelector('button.danger') as HTMLButtonElement);
    expect(actions.at(-1)).toEqual({
      actionId: 'close_run',
      blockId: 'run_actions',
      actionType: 'button',
      value: 'run-1',
    });
  });

  it('actions with a static select (option groups), a users select, checkboxes and an overflow with confirm', () => {
    const { actions, values } = show([fixtures.actionsSelects]);
    const size = screen.getByRole('combobox', { name: 'Pick a size' }) as HTMLSelectElement;
    expect([...size.options].map((o) => o.textContent)).toEqual(['Pick a size', 'Short', 'Tall']);
    fireEvent.change(size, { target: { value: 'tall' } });
    expect(actions.at(-1)).toEqual({
      actionId: 'size',
      blockId: 'a2',
      actionType: 'static_select',
      selectedOption: { text: { type: 'plain_text', text: 'Tall' }, value: 'tall' },
    });

    const runner = screen.getByRole('combobox', { name: 'Pick a runner' }) as HTMLSelectElement;
    expect([...runner.options].map((o) => o.value)).toEqual(['', 'U0001', 'U0002', 'U0003']);
    fireEvent.change(runner, { target: { value: 'U0002' } });
    expect(actions.at(-1)).toEqual({
      actionId: 'runner',
      blockId: 'a2',
      actionType: 'users_select',
      selectedUser: 'U0002',
    });

    const oat = screen.getByRole('checkbox', { name: 'oat milk' }) as HTMLInputElement;
    const shot = screen.getByRole('checkbox', { name: /extra shot/ }) as HTMLInputElement;
    expect([oat.checked, shot.checked]).toEqual([false, true]);
    fireEvent.click(oat);
    expect(actions.at(-1)?.selectedOptions?.map((o) => o.value)).toEqual(['oat', 'shot']);
    expect(values.a2?.extras?.type).toBe('checkboxes');

    const before = actions.length;
    fireEvent.click(screen.getByRole('button', { name: 'More options' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Delete' }));
    expect(actions).toHaveLength(before);
    fireEvent.click(screen.getByRole('button', { name: 'Yes' }));
    expect(actions.at(-1)?.actionType).toBe('overflow');
  });

  it('input with a plain-text input: labelled, hinted, prefilled, limited, and changes state only', () => {
    const { actions, values } = show([fixtures.inputText], 'modal');
    const box = screen.getByRole('textbox', { name: 'What would you like?' }) as HTMLInputElement;
    expect(box.value).toBe('flat white');
    expect(box.placeholder).toBe('e.g. large oat flat white');
    expect(box.maxLength).toBe(300);
    expect(screen.getByText('At most 300 characters')).toBeTruthy();
    fireEvent.input(box, { target: { value: 'cortado' } });
    expect(values.order?.text).toEqual({ type: 'plain_text_input', value: 'cortado' });
    expect(actions).toEqual([]);
  });

  it('input with a multiline, optional input: a textarea marked optional', () => {
    const { container } = show([fixtures.inputMultiline], 'modal');
    expect(screen.getByRole('textbox', { name: 'Note (optional)' }).tagName).toBe('TEXTAREA');
    expect(container.querySelector('.optional')).not.toBeNull();
  });

  it('input with a static select, a users select and checkboxes: labelled by the block’s label', () => {
    const { values, actions } = show(
      [fixtures.inputStaticSelect, fixtures.inputUsersSelect, fixtures.inputCheckboxes],
      'modal',
    );
    const window = screen.getByRole('combobox', { name: 'Fairness window' }) as HTMLSelectElement;
    expect(window.value).toBe('30');
    fireEvent.change(window, { target: { value: '7' } });
    expect(values.window?.days).toMatchObject({ type: 'static_select', selected_option: { value: '7' } });
    expect((screen.getByRole('combobox', { name: 'Channel admin' }) as HTMLSelectElement).value).toBe(
      'U0003',
    );
    const group = screen.getByRole('group', { name: 'Settings' });
    fireEvent.click(group.querySelector('input[type=checkbox]') as HTMLInputElement);
    expect(values.settings?.flags).toMatchObject({
      type: 'checkboxes',
      selected_options: [{ value: 'last_call' }],
    });
    expect(actions).toEqual([]);
  });

  it('input with a multi users select: several people, prefilled, into state only', () => {
    const { values, actions } = show([fixtures.inputMultiUsersSelect], 'modal');
    const admins = screen.getByRole('listbox', { name: 'Channel admins (optional)' }) as HTMLSelectElement;
    expect([...admins.options].filter((o) => o.selected).map((o) => o.value)).toEqual(['U0002']);
    for (const option of admins.options)
      option.selected = option.value === 'U0001' || option.value === 'U0003';
    fireEvent.change(admins);
    expect(values.admins?.users).toEqual({ type: 'multi_users_select', selected_users: ['U0001', 'U0003'] });
    expect(actions).toEqual([]);
  });

  it('section with a datepicker accessory: the date picked is sent as selected_date', () => {
    const { actions } = show([fixtures.sectionDatepickerAccessory]);
    const date = screen.getByLabelText('Away until') as HTMLInputElement;
    expect(date.value).toBe('2026-12-10');
    fireEvent.change(date, { target: { value: '2026-12-24' } });
    expect(actions).toEqual([
      { actionId: 'home_away_until', blockId: 'away', actionType: 'datepicker', selectedDate: '2026-12-24' },
    ]);
  });

  it('section with a checkboxes accessory: ticking sends block_actions with the section’s block_id', () => {
    const { actions } = show([fixtures.sectionCheckboxesAccessory]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Pick me again right after I serve' }));
    expect(actions.at(-1)).toMatchObject({
      actionId: 'home_opt_in_repeat',
      blockId: 'repeat:C0001',
      actionType: 'checkboxes',
      selectedOptions: [{ value: 'repeat' }],
    });
  });

  it('input with an error from the app: shown under the field and tied to it', () => {
    show([fixtures.inputText], 'modal', { order: 'Please say what you would like.' });
    const box = screen.getByRole('textbox', { name: 'What would you like?' });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('Please say what you would like.');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(box.getAttribute('aria-describedby')).toContain(alert.id);
  });

  it('unsupported blocks and elements are shown as placeholders, never dropped', () => {
    show([...fixtures.unsupportedBlocks, fixtures.unsupportedElement]);
    const notes = screen.getAllByRole('note').map((n) => n.textContent);
    expect(notes).toEqual([
      'Unsupported block: image (the workspace page does not render it)',
      'Unsupported block: rich_text (the workspace page does not render it)',
      'Unsupported block: video (the workspace page does not render it)',
      'Unsupported element: timepicker (the workspace page does not render it)',
    ]);
  });
});
