import {
  countCharacters,
  decodeSlackText,
  dropLeading,
  escapeMrkdwn,
  notePartsFrom,
  partsOrPlain,
  plainText,
  renderMrkdwn,
  trimParts,
  unescapeSlack,
} from './slack-text';

// Wire text as Slack sends it in a slash command (escaping on), what the person typed, and what
// the app's mrkdwn shows it as.
describe('decodeSlackText → plainText → renderMrkdwn', () => {
  it.each([
    ['M&amp;S run &lt;3', 'M&S run <3', 'M&amp;S run &lt;3'],
    ['a &amp;lt; b', 'a &lt; b', 'a &amp;lt; b'],
    ['&gt;&gt; quoted', '>> quoted', '&gt;&gt; quoted'],
    ['with <@U0002|grace> please', 'with @grace please', 'with <@U0002> please'],
    ['with <@U0002>', 'with @U0002', 'with <@U0002>'],
    ['in <#C0001|coffee>', 'in #coffee', 'in <#C0001>'],
    ['in <#C0001|>', 'in #C0001', 'in <#C0001>'],
    ['menu <https://blue.door/menu>', 'menu https://blue.door/menu', 'menu <https://blue.door/menu>'],
    ['menu <http://blue.door|blue.door>', 'menu blue.door', 'menu <http://blue.door|blue.door>'],
    ['<https://x.test/?a=1&amp;b=2|x &amp; y>', 'x & y', '<https://x.test/?a=1&amp;b=2|x &amp; y>'],
    [
      'mail <mailto:ada@example.com|ada@example.com>',
      'mail ada@example.com',
      'mail <mailto:ada@example.com|ada@example.com>',
    ],
    ['<!here> coffee!', '@here coffee!', '@here coffee!'],
    ['<!here|here> coffee!', '@here coffee!', '@here coffee!'],
    ['<!channel> and <!everyone>', '@channel and @everyone', '@channel and @everyone'],
    ['<!group>', '@channel', '@channel'],
    ['ping <!subteam^S0614TZR7|@baristas>', 'ping @baristas', 'ping @baristas'],
    ['ping <!subteam^S0614TZR7>', 'ping @S0614TZR7', 'ping @S0614TZR7'],
    ['at <!date^1392734382^{time}|10:30>', 'at 10:30', 'at 10:30'],
    ['<javascript:alert(1)|click>', 'click', 'click'],
    // Object.prototype's names are no broadcasts: their words, as typed.
    ['<!constructor> and <!toString>', 'constructor and toString', 'constructor and toString'],
    ['<!__proto__|x>', 'x', 'x'],
    ['<@not-a-user|x>', 'x', 'x'],
    ['unclosed < angle', 'unclosed < angle', 'unclosed &lt; angle'],
    ['🧋 boba &amp; ☕', '🧋 boba & ☕', '🧋 boba &amp; ☕'],
  ])('%j is typed as %j and shown as %j', (wire, typed, shown) => {
    const parts = decodeSlackText(wire);
    expect(plainText(parts)).toBe(typed);
    expect(renderMrkdwn(parts)).toBe(shown);
  });

  it('never renders a broadcast or a user group, however it arrives', () => {
    for (const wire of ['<!here>', '<!channel>', '<!everyone>', '<!subteam^S1|@all>', '&lt;!here&gt;']) {
      expect(renderMrkdwn(decodeSlackText(wire))).not.toMatch(/<!/);
    }
  });

  it('keeps a URL with | or > inside from ending the link early', () => {
    const shown = renderMrkdwn([{ type: 'link', url: 'https://x.test/a|b>c', text: 'x' }]);
    expect(shown).toBe('<https://x.test/a%7Cb&gt;c|x>');
  });
});

describe('unescapeSlack and escapeMrkdwn', () => {
  it('undo and do exactly one level of escaping', () => {
    expect(unescapeSlack('&amp;amp; &lt;b&gt; &quot;')).toBe('&amp; <b> &quot;');
    expect(escapeMrkdwn('M&S <3 >')).toBe('M&amp;S &lt;3 &gt;');
    expect(unescapeSlack(escapeMrkdwn('&amp; <>'))).toBe('&amp; <>');
  });
});

describe('countCharacters', () => {
  it.each([
    ['M&S run <3', 10],
    ['🧋', 1],
    ['👍🏽', 2],
    ['café', 4],
    ['', 0],
  ])('counts %j as %i characters', (text, count) => {
    expect(countCharacters(text)).toBe(count);
  });
});

describe('dropLeading and trimParts', () => {
  it('cut the pickup off typed text and keep the mentions after it', () => {
    const parts = decodeSlackText('10:30 with <@U0002|grace> at <https://blue.door|Blue Door> ');
    const note = trimParts(dropLeading(parts, '10:30'.length));
    expect(plainText(note)).toBe('with @grace at Blue Door');
    expect(note.map((p) => p.type)).toEqual(['text', 'user', 'text', 'link']);
  });
});

describe('partsOrPlain', () => {
  it('uses stored parts only when they match the stored plain text', () => {
    const parts = decodeSlackText('hi <@U0002|grace>');
    expect(partsOrPlain('hi @grace', parts)).toBe(parts);
    expect(partsOrPlain('hi @someone-else', parts)).toBe('hi @someone-else');
    expect(partsOrPlain('hi', null)).toBe('hi');
    expect(partsOrPlain('hi', [{ type: 'bogus', text: 'hi' }])).toBe('hi');
  });
});

describe('notePartsFrom', () => {
  it.each([
    [
      'in 20m, with <@U0002|grace> at <https://blue.door|Blue Door>  ',
      'with @grace at Blue Door',
      [
        { type: 'text', text: 'with ' },
        { type: 'user', userId: 'U0002', text: '@grace' },
        { type: 'text', text: ' at ' },
        { type: 'link', url: 'https://blue.door', text: 'Blue Door' },
      ],
    ],
    [
      '<#C0001|coffee> run',
      '#coffee run',
      [
        { type: 'channel', channelId: 'C0001', text: '#coffee' },
        { type: 'text', text: ' run' },
      ],
    ],
    ['10:30 M&amp;S &lt;3', 'M&S <3', null],
    ['10:30 <!here> go', '@here go', null],
    ['10:30 <@U0002|grace>', 'someone else', null],
    ['10:30', null, null],
  ])('reads %j with note %j as %j', (wire, note, parts) => {
    expect(notePartsFrom(wire, note)).toEqual(parts);
  });
});
