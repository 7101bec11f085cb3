import { describe, expect, it } from 'vitest';
import { Mrkdwn, Text } from '../src/mrkdwn';
import fixtures from './fixtures/mrkdwn.json';
import { reader, renderWith } from './support';

interface Case {
  name: string;
  text: string;
  elements: Array<[string, string]>;
  absent?: string[];
  visible: string;
}

describe('mrkdwn', () => {
  it.each((fixtures.cases as Case[]).map((c) => [c.name, c] as const))('%s', (_name, fixture) => {
    const { container } = renderWith(<Mrkdwn text={fixture.text} />);
    const root = container.querySelector('.mrkdwn');
    expect(root?.textContent).toBe(fixture.visible);
    for (const [selector, text] of fixture.elements) {
      const found = container.querySelector(selector);
      expect(found, `${selector} in ${container.innerHTML}`).not.toBeNull();
      expect(found?.textContent).toBe(text);
    }
    for (const selector of fixture.absent ?? []) expect(container.querySelector(selector)).toBeNull();
  });

  it('shows <!date^…> in the reader’s own timezone', () => {
    const text = '<!date^1732532400^{time}|11:00 UTC>';
    const london = renderWith(<Mrkdwn text={text} />, { reader: reader('U0001', 'Europe/London') });
    expect(london.container.textContent).toBe('11:00 AM');
    london.unmount();
    const newYork = renderWith(<Mrkdwn text={text} />, { reader: reader('U0002', 'America/New_York') });
    expect(newYork.container.textContent).toBe('6:00 AM');
  });

  it('opens links in a new tab without handing over the page', () => {
    const { container } = renderWith(<Mrkdwn text="<https://example.com|x>" />);
    const link = container.querySelector('a');
    expect(link?.getAttribute('target')).toBe('_blank');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('leaves plain_text as it is: no formatting, no mentions', () => {
    const { container } = renderWith(<Text text={{ type: 'plain_text', text: '*not bold* <@U0002>' }} />);
    expect(container.textContent).toBe('*not bold* <@U0002>');
    expect(container.querySelector('strong')).toBeNull();
  });
});
