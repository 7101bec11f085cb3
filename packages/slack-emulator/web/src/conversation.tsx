import { useEffect, useRef, useState } from 'preact/hooks';
import { pageApi } from './api';
import { Blocks } from './blocks';
import { Mrkdwn } from './mrkdwn';
import { formatMessageTime } from './slack-date';
import { SurfaceContext, useReader } from './surface';
import type { PageMessage } from './types';
import { useInteractiveSurface } from './view-state';

const SLACKBOT = 'USLACKBOT';

function Author({ message }: { message: PageMessage }) {
  const reader = useReader();
  if (message.user === SLACKBOT) return <span class="author">Slackbot</span>;
  if (message.bot_id) {
    return (
      <span class="author">
        {reader.person(message.user)?.realName ?? 'App'} <span class="badge">APP</span>
      </span>
    );
  }
  const person = reader.person(message.user);
  return <span class="author">{person?.realName ?? message.user}</span>;
}

/** One message: its blocks (or its text when it has none), as the reader sees it. */
export function Message({
  message,
  interactive,
  onProblem,
  onDismiss,
}: {
  message: PageMessage;
  interactive: boolean;
  onProblem: (text: string) => void;
  onDismiss: (ts: string) => void;
}) {
  const reader = useReader();
  const { surface } = useInteractiveSurface({
    kind: 'message',
    key: `${message.ts}:${message.edited?.ts ?? ''}`,
    blocks: message.blocks,
    userId: reader.userId,
    where: { channelId: message.channel, messageTs: message.ts },
    interactive,
    onProblem,
  });
  const time = formatMessageTime(message.ts, reader.timeZone);
  return (
    <li
      class={`message${message.ephemeral ? ' ephemeral' : ''}`}
      data-ts={message.ts}
      aria-label={`Message from ${message.user === SLACKBOT ? 'Slackbot' : (reader.person(message.user)?.realName ?? message.user)} at ${time}`}
    >
      <div class="message-meta">
        <Author message={message} />
        <time class="message-time">{time}</time>
        {message.edited && <span class="edited">(edited)</span>}
        {message.ephemeral && <span class="only-you">Only visible to you</span>}
      </div>
      <div class="message-content">
        {message.blocks.length > 0 ? (
          <SurfaceContext.Provider value={surface}>
            <Blocks blocks={message.blocks} />
          </SurfaceContext.Provider>
        ) : (
          <div class="message-text">
            <Mrkdwn text={message.text} />
          </div>
        )}
        {Array.isArray(message.attachments) && message.attachments.length > 0 && (
          <div class="unsupported" role="note">
            {message.attachments.length} legacy attachment(s) not shown (the workspace page does not render
            attachments)
          </div>
        )}
      </div>
      {message.ephemeral && (
        <button type="button" class="link" onClick={() => onDismiss(message.ts)}>
          Dismiss message
        </button>
      )}
    </li>
  );
}

/** The messages of a conversation, oldest first, scrolled to the newest. */
export function MessageList({
  label,
  messages,
  interactive,
  onProblem,
}: {
  label: string;
  messages: PageMessage[];
  interactive: boolean;
  onProblem: (text: string) => void;
}) {
  const [dismissed, setDismissed] = useState<string[]>([]);
  const end = useRef<HTMLDivElement>(null);
  const shown = messages.filter((m) => !dismissed.includes(m.ts));
  const last = shown[shown.length - 1];
  useEffect(() => end.current?.scrollIntoView?.({ block: 'end' }), [last?.ts, last?.edited?.ts]);
  return (
    <div class="messages">
      {shown.length === 0 ? (
        <p class="empty">No messages yet.</p>
      ) : (
        <ol aria-label={label}>
          {shown.map((message) => (
            <Message
              key={message.ts}
              message={message}
              interactive={interactive}
              onProblem={onProblem}
              onDismiss={(ts) => setDismissed((old) => [...old, ts])}
            />
          ))}
        </ol>
      )}
      <div ref={end} />
    </div>
  );
}

/**
 * The message box. `/command text` is sent to the app as a signed slash command; anything else
 * is posted as the person's message. Enter sends, Shift+Enter starts a new line.
 */
export function Composer({
  channelId,
  placeholder,
  userId,
  enabled,
  onProblem,
}: {
  channelId: string;
  placeholder: string;
  userId: string;
  enabled: boolean;
  onProblem: (text: string) => void;
}) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const send = async (event?: Event) => {
    event?.preventDefault();
    const typed = text.trim();
    if (!typed || sending) return;
    setSending(true);
    try {
      const result = await pageApi.send(userId, channelId, typed);
      setText('');
      if (result.problem) onProblem(`${typed.split(/\s/)[0]}: ${result.problem}`);
    } catch (error) {
      onProblem((error as Error).message);
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="composer" onSubmit={send}>
      <textarea
        aria-label={placeholder}
        placeholder={placeholder}
        rows={2}
        value={text}
        disabled={!enabled}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) void send(e);
        }}
      />
      <button type="submit" class="primary" disabled={!enabled || sending || text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
