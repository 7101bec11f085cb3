import { describe, expect, it } from 'vitest';
import { carryOver, clientSideErrors, initialState } from '../src/view-state';
import fixtures from './fixtures/blocks.json';

const modalBlocks = [
  fixtures.inputText,
  fixtures.inputMultiline,
  fixtures.inputStaticSelect,
  fixtures.inputUsersSelect,
  fixtures.inputCheckboxes,
  fixtures.sectionMrkdwn,
];

describe('state.values of a view', () => {
  it('starts from every input element’s initial value, as Slack reports untouched inputs', () => {
    expect(initialState(modalBlocks)).toEqual({
      order: { text: { type: 'plain_text_input', value: 'flat white' } },
      note: { text: { type: 'plain_text_input', value: null } },
      window: {
        days: { type: 'static_select', selected_option: fixtures.inputStaticSelect.element.initial_option },
      },
      admins: { user: { type: 'users_select', selected_user: 'U0003' } },
      settings: { flags: { type: 'checkboxes', selected_options: [] } },
    });
  });

  it('keeps what was typed across views.update when the block and action stay', () => {
    const typed = {
      ...initialState(modalBlocks),
      order: { text: { type: 'plain_text_input', value: 'cortado' } },
    };
    const next = carryOver(typed, [fixtures.inputText, { ...fixtures.inputMultiline, block_id: 'new_note' }]);
    expect(next.order?.text).toEqual({ type: 'plain_text_input', value: 'cortado' });
    expect(next.new_note?.text).toEqual({ type: 'plain_text_input', value: null });
    expect(next.window).toBeUndefined();
  });
});

describe("Slack's own checks before submitting", () => {
  it('requires every input that is not optional', () => {
    const values = initialState(modalBlocks);
    values.order = { text: { type: 'plain_text_input', value: '' } };
    values.admins = { user: { type: 'users_select', selected_user: null } };
    expect(clientSideErrors(modalBlocks, values)).toEqual({
      order: 'Please complete this required field.',
      admins: 'Please complete this required field.',
      settings: 'Please complete this required field.',
    });
  });

  it('lets blank text through to the app (it decides), and checks min_length', () => {
    const values = initialState(modalBlocks);
    values.order = { text: { type: 'plain_text_input', value: '   ' } };
    values.note = { text: { type: 'plain_text_input', value: 'ab' } };
    values.settings = { flags: { type: 'checkboxes', selected_options: [{ value: 'last_call' }] } };
    expect(clientSideErrors(modalBlocks, values)).toEqual({ note: 'Please enter at least 3 characters.' });
  });
});

describe('a modal under a pushed one', () => {
  it('comes back with what was typed into it, as Slack keeps a stack’s earlier views', async () => {
    const { render } = await import('@testing-library/preact');
    const { useViewState } = await import('../src/view-state');
    let api: ReturnType<typeof useViewState> | undefined;
    function Probe() {
      api = useViewState('V1:h1', [fixtures.inputText], 'V1');
      return null;
    }
    const first = render(<Probe />);
    api?.setValue('order', 'text', { type: 'plain_text_input', value: 'cortado' });
    first.rerender(<Probe />);
    expect(api?.values.order?.text).toEqual({ type: 'plain_text_input', value: 'cortado' });
    first.unmount(); // the reset confirmation is pushed on top
    render(<Probe />); // …and closed: the settings modal shows again
    expect(api?.values.order?.text).toEqual({ type: 'plain_text_input', value: 'cortado' });
  });
});
