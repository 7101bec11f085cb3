import { checkView } from '@coffeebuddy/slack-emulator';
import { buildOrderModal, parseOrderModalMetadata } from './order-modal';

const runId = '0b9e7a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b';

describe('buildOrderModal', () => {
  it('is a valid modal, new or prefilled with a 300-character order', () => {
    expect(checkView(buildOrderModal({ runId, channelId: 'C0001', currentOrder: null }), 'modal')).toEqual(
      [],
    );
    const editing = buildOrderModal({ runId, channelId: 'C0001', currentOrder: '🧋'.repeat(300) });
    expect(checkView(editing, 'modal')).toEqual([]);
  });
});

describe('parseOrderModalMetadata', () => {
  it.each([
    ['what the modal wrote', JSON.stringify({ runId, channelId: 'C0001' }), { runId, channelId: 'C0001' }],
    ['a run ID that is not a UUID', JSON.stringify({ runId: 'abc', channelId: 'C0001' }), null],
    ["a channel ID that is not Slack's", JSON.stringify({ runId, channelId: 'x; drop' }), null],
    ['a number', JSON.stringify({ runId: 5, channelId: 'C0001' }), null],
    ['null JSON', 'null', null],
    ['not JSON', '{', null],
    ['not a string', 42, null],
    ['over 3,000 characters', `${JSON.stringify({ runId, channelId: 'C0001' })}${' '.repeat(3000)}`, null],
  ])('reads %s as %j', (_name, raw, expected) => {
    expect(parseOrderModalMetadata(raw)).toEqual(expected);
  });
});
