import { BLOCK_LIMITS, checkBlocks, checkMessage, checkView, formatProblem } from '../src';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (text: string, actionId = 'a') => ({
  type: 'button',
  text: { type: 'plain_text', text },
  action_id: actionId,
});
const modal = (overrides: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Order' },
  blocks: [section('hi')],
  ...overrides,
});

describe('text that cannot be UTF-8', () => {
  it('refuses half of a surrogate pair, as cutting an emoji in two leaves it', () => {
    const cut = '🧋'.slice(0, 1);
    expect(checkBlocks([section(`ok 🧋`)], 'message')).toEqual([]);
    expect(checkBlocks([section(`cut ${cut}`)], 'message')).toEqual([
      { pointer: '/blocks/0/text/text', message: 'must be valid UTF-8' },
    ]);
    expect(checkMessage({ text: `cut ${cut}` })).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });
});

describe('checkBlocks', () => {
  it('accepts a realistic run message', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Coffee run' } },
      section('Pickup at *10:30*'),
      { type: 'context', elements: [{ type: 'mrkdwn', text: '3 orders' }] },
      { type: 'divider' },
      {
        type: 'actions',
        block_id: 'run',
        elements: [button('Place order', 'place'), button('Close run', 'close')],
      },
    ];
    expect(checkBlocks(blocks, 'message')).toEqual([]);
  });

  it('allows 50 blocks in a message and 100 in a view, not one more', () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(checkBlocks(blocks(50), 'message')).toEqual([]);
    expect(checkBlocks(blocks(51), 'message')).toEqual([
      { pointer: '/blocks', message: 'no more than 50 items allowed' },
    ]);
    expect(checkBlocks(blocks(100), 'modal')).toEqual([]);
    expect(checkBlocks(blocks(101), 'home')).toEqual([
      { pointer: '/view/blocks', message: 'no more than 100 items allowed' },
    ]);
  });

  it('limits section text to 3000 characters and names the field', () => {
    expect(checkBlocks([section('x'.repeat(3000))], 'message')).toEqual([]);
    const problems = checkBlocks([section('x'.repeat(3001))], 'message');
    expect(problems).toEqual([
      { pointer: '/blocks/0/text/text', message: 'must be less than 3001 characters' },
    ]);
    expect(formatProblem(problems[0] as never)).toBe(
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    );
  });

  it('limits header text to 150 plain_text characters', () => {
    const header = (text: string, type = 'plain_text') => ({ type: 'header', text: { type, text } });
    expect(checkBlocks([header('x'.repeat(150))], 'message')).toEqual([]);
    expect(checkBlocks([header('x'.repeat(151))], 'message')).toEqual([
      { pointer: '/blocks/0/text/text', message: 'must be less than 151 characters' },
    ]);
    expect(checkBlocks([header('hi', 'mrkdwn')], 'message')[0]?.pointer).toBe('/blocks/0/text/type');
  });

  it('limits button text to 75 and action_id/block_id to 255', () => {
    const actions = (el: unknown, blockId = 'b') => [{ type: 'actions', block_id: blockId, elements: [el] }];
    expect(checkBlocks(actions(button('x'.repeat(75))), 'message')).toEqual([]);
    expect(checkBlocks(actions(button('x'.repeat(76))), 'message')).toEqual([
      { pointer: '/blocks/0/elements/0/text/text', message: 'must be less than 76 characters' },
    ]);
    expect(checkBlocks(actions(button('ok', 'a'.repeat(256))), 'message')).toEqual([
      { pointer: '/blocks/0/elements/0/action_id', message: 'must be less than 256 characters' },
    ]);
    expect(checkBlocks(actions(button('ok'), 'b'.repeat(256)), 'message')).toEqual([
      { pointer: '/blocks/0/block_id', message: 'must be less than 256 characters' },
    ]);
  });

  it('checks accessories, input elements and select options', () => {
    const blocks = [
      { ...section('pick'), accessory: button('y'.repeat(80)) },
      {
        type: 'input',
        label: { type: 'plain_text', text: 'Order' },
        element: {
          type: 'static_select',
          action_id: 's',
          options: [{ text: { type: 'plain_text', text: 'o'.repeat(76) }, value: 'v' }],
        },
      },
    ];
    expect(checkBlocks(blocks, 'modal').map((p) => p.pointer)).toEqual([
      '/view/blocks/0/accessory/text/text',
      '/view/blocks/1/element/options/0/text/text',
    ]);
  });

  it('requires every block to have a known type', () => {
    expect(checkBlocks([{ text: 'no type' }], 'message')).toEqual([
      { pointer: '/blocks/0', message: 'missing required field: type' },
    ]);
    expect(checkBlocks([{ type: 'sectoin' }], 'message')).toEqual([
      { pointer: '/blocks/0/type', message: 'unsupported block type: sectoin' },
    ]);
    expect(checkBlocks([{ type: 'file', external_id: 'x', source: 'remote' }], 'modal')[0]?.message).toBe(
      'block type file is not allowed in a modal',
    );
    expect(checkBlocks('not an array', 'message')).toEqual([
      { pointer: '/blocks', message: 'must be an array' },
    ]);
  });

  it('rejects empty text, sections without content and duplicate block_ids', () => {
    expect(checkBlocks([section('')], 'message')[0]?.message).toBe('must be more than 0 characters');
    expect(checkBlocks([{ type: 'section' }], 'message')[0]?.message).toBe(
      'must define either `text` or `fields`',
    );
    const dup = [
      { ...section('a'), block_id: 'same' },
      { ...section('b'), block_id: 'same' },
    ];
    expect(checkBlocks(dup, 'message')).toEqual([
      { pointer: '/blocks/1/block_id', message: 'duplicate block_id' },
    ]);
  });
});

describe('checkView', () => {
  it('accepts a modal with an input and a submit button', () => {
    const view = modal({
      submit: { type: 'plain_text', text: 'Order' },
      close: { type: 'plain_text', text: 'Cancel' },
      blocks: [
        {
          type: 'input',
          block_id: 'order',
          label: { type: 'plain_text', text: 'Your order' },
          element: { type: 'plain_text_input', action_id: 'text', max_length: 200 },
        },
      ],
    });
    expect(checkView(view, 'modal')).toEqual([]);
  });

  it('limits the modal title, submit and close to 24 characters', () => {
    const long = { type: 'plain_text', text: 'x'.repeat(25) };
    expect(checkView(modal({ title: long, submit: long, close: long }), 'modal')).toEqual([
      { pointer: '/view/title/text', message: 'must be less than 25 characters' },
      { pointer: '/view/submit/text', message: 'must be less than 25 characters' },
      { pointer: '/view/close/text', message: 'must be less than 25 characters' },
    ]);
  });

  it('needs a title, the right type, and submit when inputs are present', () => {
    expect(checkView(modal({ title: undefined }), 'modal')).toEqual([
      { pointer: '/view', message: 'missing required field: title' },
    ]);
    expect(checkView(modal(), 'home')).toEqual([{ pointer: '/view/type', message: 'must be home' }]);
    const withInput = modal({
      blocks: [
        { type: 'input', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input' } },
      ],
    });
    expect(checkView(withInput, 'modal')[0]?.message).toBe(
      'must provide submit when the view has input blocks',
    );
  });

  it('limits private_metadata to 3000 characters', () => {
    expect(checkView(modal({ private_metadata: 'm'.repeat(3001) }), 'modal')).toEqual([
      { pointer: '/view/private_metadata', message: 'must be less than 3001 characters' },
    ]);
  });
});

describe('checkMessage', () => {
  it('needs text, blocks or attachments', () => {
    expect(checkMessage({})).toEqual({ ok: false, error: 'no_text', problems: [] });
    expect(checkMessage({ text: 'hi' })).toEqual({ ok: true });
    expect(checkMessage({ blocks: [section('hi')] })).toEqual({ ok: true });
  });

  it('limits text to 40000 characters', () => {
    expect(checkMessage({ text: 'x'.repeat(BLOCK_LIMITS.messageText) })).toEqual({ ok: true });
    expect(checkMessage({ text: 'x'.repeat(BLOCK_LIMITS.messageText + 1) })).toMatchObject({
      ok: false,
      error: 'msg_too_long',
    });
  });

  it('reports block problems as invalid_blocks', () => {
    expect(checkMessage({ text: 'hi', blocks: [section('x'.repeat(3001))] })).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      problems: [{ pointer: '/blocks/0/text/text' }],
    });
  });
});
