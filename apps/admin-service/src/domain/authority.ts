/**
 * Who may administer a channel (DESIGN §11, plan REQ-005): Slack workspace admins and owners
 * (users.info `is_admin`, `is_owner`; a primary owner is an owner too) and the people on the
 * channel's own admin list. Pure: the caller asks Slack.
 */
export interface SlackRole {
  isAdmin: boolean;
  isOwner: boolean;
}

export type Authority =
  | { allowed: true; as: 'channel_admin' | 'workspace_admin' | 'workspace_owner' }
  | { allowed: false };

export function authorityOf(
  userId: string,
  channelAdmins: readonly string[],
  role: SlackRole | null,
): Authority {
  if (channelAdmins.includes(userId)) return { allowed: true, as: 'channel_admin' };
  if (role?.isOwner) return { allowed: true, as: 'workspace_owner' };
  if (role?.isAdmin) return { allowed: true, as: 'workspace_admin' };
  return { allowed: false };
}

/** What a person who may not administer the channel is told. */
export function refusalText(channelId: string, channelAdmins: readonly string[]): string {
  const list =
    channelAdmins.length === 0
      ? ''
      : ` (here: ${channelAdmins
          .slice(0, 10)
          .map((id) => `<@${id}>`)
          .join(', ')}${channelAdmins.length > 10 ? ', …' : ''})`;
  return `Only workspace admins and owners, or the channel's admins${list}, can change CoffeeBuddy's settings for <#${channelId}>. Nothing was changed.`;
}
