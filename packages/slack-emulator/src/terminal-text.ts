/** Names for IDs, so `<@U0001>` reads as `@ada` in a terminal. */
export type Names = { users: Map<string, string>; channels: Map<string, string> };

/**
 * One mrkdwn string as Slack would show it, in plain text: mentions and channel links by name,
 * links as `label (url)`, dates as their fallback, then Slack's three escapes undone (last, so
 * text that was escaped once shows exactly as typed).
 */
export function showMrkdwn(text: string, names: Names): string {
  return text
    .replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_whole, target: string, label: string | undefined) => {
      if (target.startsWith('@')) return `@${names.users.get(target.slice(1)) ?? label ?? target.slice(1)}`;
      if (target.startsWith('#'))
        return `#${names.channels.get(target.slice(1)) ?? label ?? target.slice(1)}`;
      if (target.startsWith('!date^')) return label ?? target;
      if (target.startsWith('!')) return `@${target.slice(1)}`;
      return label && label !== target ? `${label} (${target})` : target;
    })
    .replace(/&(amp|lt|gt);/g, (_match, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}
