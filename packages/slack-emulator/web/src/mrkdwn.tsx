import type { ComponentChildren } from 'preact';
import { type Node, NodeType, parse } from 'slack-message-parser';
import { formatSlackDate } from './slack-date';
import { type Reader, useReader } from './surface';
import type { TextObject } from './types';

/**
 * Slack's mrkdwn, parsed by slack-message-parser and shown as Slack shows it: *bold*, _italic_,
 * ~strike~, `code`, ```pre```, > quotes, <links|labels>, <@U…> as the person's display name,
 * <#C…> as the channel's name, <!here>/<!channel>/<!everyone>, and <!date^…> in the reader's
 * timezone. `&amp;`, `&lt;` and `&gt;` (Slack's escapes) are shown as the characters.
 */

/** Slack escapes these three in message text; everything else arrives as it is. */
export function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Only these schemes become links; anything else (javascript:, data:) is shown as text. */
const SAFE_URL = /^(https?:|mailto:)/i;

function children(nodes: Node[] | undefined, reader: Reader): ComponentChildren {
  return nodes?.map((node, index) => <MrkdwnNode key={index} node={node} reader={reader} />);
}

function labelText(nodes: Node[] | undefined): string | undefined {
  if (!nodes || nodes.length === 0) return undefined;
  return decodeEntities(nodes.map((n) => ('text' in n ? String(n.text) : n.source)).join(''));
}

function UserMention({ id, label, reader }: { id: string; label?: string | undefined; reader: Reader }) {
  const person = reader.person(id);
  const name = person ? person.name : (label?.replace(/^@/, '') ?? id);
  return (
    <span
      class={`mention mention-user${id === reader.userId ? ' mention-self' : ''}`}
      title={person ? `${person.realName} (${id})` : id}
      data-user-id={id}
    >
      @{name}
    </span>
  );
}

function ChannelMention({ id, label, reader }: { id: string; label?: string | undefined; reader: Reader }) {
  const conversation = reader.conversation(id);
  const name = conversation && !conversation.isIm ? conversation.name : (label ?? id);
  return (
    <span class="mention mention-channel" title={id} data-channel-id={id}>
      #{name}
    </span>
  );
}

function Command({ node, reader }: { node: Extract<Node, { type: NodeType.Command }>; reader: Reader }) {
  const label = labelText(node.label);
  switch (node.name) {
    case 'here':
    case 'channel':
    case 'everyone':
      return <span class="mention mention-broadcast">@{node.name}</span>;
    case 'date': {
      const [unix, format = '{date}', link] = node.arguments;
      const shown = formatSlackDate(Number(unix), format, reader.timeZone, reader.now());
      const time = (
        <time dateTime={shown ? new Date(Number(unix) * 1000).toISOString() : undefined} title={label}>
          {shown ?? label ?? ''}
        </time>
      );
      return link && SAFE_URL.test(link) ? (
        <a href={link} target="_blank" rel="noopener noreferrer">
          {time}
        </a>
      ) : (
        time
      );
    }
    case 'subteam':
      return <span class="mention mention-group">{label ?? `@${node.arguments[0] ?? 'group'}`}</span>;
    default:
      return <span>{label ?? decodeEntities(node.source)}</span>;
  }
}

function MrkdwnNode({ node, reader }: { node: Node; reader: Reader }) {
  switch (node.type) {
    case NodeType.Text:
      return <>{decodeEntities(node.text)}</>;
    case NodeType.Bold:
      return <strong>{children(node.children, reader)}</strong>;
    case NodeType.Italic:
      return <em>{children(node.children, reader)}</em>;
    case NodeType.Strike:
      return <s>{children(node.children, reader)}</s>;
    case NodeType.Code:
      return <code>{decodeEntities(node.text)}</code>;
    case NodeType.PreText:
      return (
        <pre>
          <code>{decodeEntities(node.text)}</code>
        </pre>
      );
    case NodeType.Quote: {
      // `> text`: the space after the marker is not part of the quote.
      const [first, ...rest] = node.children;
      const lead =
        first?.type === NodeType.Text
          ? [{ ...first, text: first.text.replace(/^ /, '') }, ...rest]
          : node.children;
      return <blockquote>{children(lead, reader)}</blockquote>;
    }
    case NodeType.UserLink:
      return <UserMention id={node.userID} label={labelText(node.label)} reader={reader} />;
    case NodeType.ChannelLink:
      return <ChannelMention id={node.channelID} label={labelText(node.label)} reader={reader} />;
    case NodeType.URL: {
      const label = node.label ? children(node.label, reader) : decodeEntities(node.url);
      return SAFE_URL.test(node.url) ? (
        <a href={node.url} target="_blank" rel="noopener noreferrer">
          {label}
        </a>
      ) : (
        <span>{label}</span>
      );
    }
    case NodeType.Command:
      return <Command node={node} reader={reader} />;
    case NodeType.Emoji:
      return <Emoji name={node.name} variation={node.variation} />;
    default:
      return <>{decodeEntities(node.source)}</>;
  }
}

/** Slack accepts a literal `>` at the start of a line as a quote, like the escaped `&gt;`. */
function quotesEscaped(text: string): string {
  return text.replace(/^>/gm, '&gt;');
}

/** Renders a mrkdwn string. */
export function Mrkdwn({ text }: { text: string }) {
  const reader = useReader();
  return <span class="mrkdwn">{children(parse(quotesEscaped(text)).children, reader)}</span>;
}

/** `:name:` emoji codes: shown as the code, with the name as a tooltip (no emoji font assumed). */
function Emoji({ name, variation }: { name: string; variation?: string | undefined }) {
  const code = `:${name}:${variation ? `:${variation}:` : ''}`;
  return (
    <span class="emoji-code" title={name}>
      {code}
    </span>
  );
}

/** A Block Kit text object: mrkdwn parsed, plain_text shown as it is. */
export function Text({ text }: { text: TextObject | undefined }) {
  if (!text) return null;
  if (text.type === 'mrkdwn') return <Mrkdwn text={text.text} />;
  return <span class="plain-text">{text.text}</span>;
}

/** The text of a text object as a string, for labels and accessible names. */
export function plainText(text: TextObject | undefined): string {
  return text ? (text.type === 'mrkdwn' ? decodeEntities(text.text) : text.text) : '';
}
