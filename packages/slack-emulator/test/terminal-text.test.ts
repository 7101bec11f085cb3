import { showMrkdwn } from '../src/terminal-text';

const names = { users: new Map([['U0002', 'grace']]), channels: new Map([['C0001', 'coffee']]) };

describe('showMrkdwn (what the coffee CLI prints for a message)', () => {
  it.each([
    ['📝 M&amp;S run &lt;3', '📝 M&S run <3'],
    ['a &amp;amp; b', 'a &amp; b'],
    ['• <@U0002>: flat white', '• @grace: flat white'],
    ['in <#C0001>', 'in #coffee'],
    [
      '<https://blue.door|Blue Door> and <https://x.test>',
      'Blue Door (https://blue.door) and https://x.test',
    ],
    ['*Pickup:* <!date^1795602600^{time}|10:30>', '*Pickup:* 10:30'],
    ['<@U0009>', '@U0009'],
  ])('%j → %j', (mrkdwn, shown) => {
    expect(showMrkdwn(mrkdwn, names)).toBe(shown);
  });
});
