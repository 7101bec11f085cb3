import { randomBytes } from 'node:crypto';

/** What the emulator knows about Slack workspaces: teams, people, conversations and bot tokens. */

export interface Team {
  id: string;
  name: string;
  domain: string;
  /** The app's bot user in this team (what `auth.test` returns as `user_id`). */
  botUserId: string;
  botId: string;
}

export interface User {
  id: string;
  teamId: string;
  name: string;
  realName: string;
  tz: string;
  tzLabel: string;
  tzOffset: number;
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
  deleted: boolean;
}

export interface Channel {
  id: string;
  teamId: string;
  name: string;
  isIm: boolean;
  isPrivate: boolean;
  /** For an IM: the other person. */
  user?: string;
  created: number;
}

export interface Token {
  token: string;
  teamId: string;
  type: 'bot' | 'user';
  /** The bot user for bot tokens, the person for user tokens. */
  userId: string;
  scopes: string[];
}

export interface NewUser {
  id?: string;
  teamId?: string;
  name: string;
  realName?: string;
  tz?: string;
  tzLabel?: string;
  tzOffset?: number;
  isAdmin?: boolean;
  isOwner?: boolean;
  isBot?: boolean;
}

export interface NewChannel {
  id?: string;
  teamId?: string;
  name: string;
  isPrivate?: boolean;
}

export interface NewTeam {
  id?: string;
  name: string;
  domain?: string;
}

export const DEFAULT_TEAM_ID = 'T0001';
export const DEFAULT_TEAM_NAME = 'coffeebuddy-dev';
/** The bot token the seed installs in T0001; the local stack's default `SLACK_BOT_TOKEN`. */
export const DEFAULT_BOT_TOKEN = 'xoxb-0001-0001-coffeebuddydevemulator0001';
export const DEFAULT_BOT_SCOPES = [
  'channels:history',
  'channels:read',
  'chat:write',
  'chat:write.public',
  'commands',
  'groups:history',
  'groups:read',
  'im:history',
  'im:write',
  'users:read',
];

export interface SeedOptions {
  /** The bot token for T0001 (default {@link DEFAULT_BOT_TOKEN}). */
  botToken?: string;
}

export class Workspace {
  readonly teams = new Map<string, Team>();
  readonly users = new Map<string, User>();
  readonly channels = new Map<string, Channel>();
  readonly tokens = new Map<string, Token>();
  private counter = 100;

  constructor(private readonly now: () => number) {}

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}0${this.counter.toString(36).toUpperCase().padStart(6, '0')}`;
  }

  clear(): void {
    this.teams.clear();
    this.users.clear();
    this.channels.clear();
    this.tokens.clear();
  }

  /**
   * Replaces the state with the default workspace: team T0001 "coffeebuddy-dev" with the bot
   * installed, people (U0001 Ada the owner, U0002 Grace an admin, U0003 Alan, U0004 Katherine),
   * channels C0001 #coffee and C0002 #general.
   */
  seed(options: SeedOptions = {}): void {
    this.clear();
    const team = this.addTeam({ id: DEFAULT_TEAM_ID, name: DEFAULT_TEAM_NAME, domain: 'coffeebuddy-dev' });
    this.issueBotToken(team.id, options.botToken ?? DEFAULT_BOT_TOKEN);
    this.addUser({
      id: 'U0001',
      name: 'ada',
      realName: 'Ada Lovelace',
      tz: 'Europe/London',
      tzLabel: 'Greenwich Mean Time',
      tzOffset: 0,
      isAdmin: true,
      isOwner: true,
    });
    this.addUser({
      id: 'U0002',
      name: 'grace',
      realName: 'Grace Hopper',
      tz: 'America/New_York',
      tzLabel: 'Eastern Standard Time',
      tzOffset: -18000,
      isAdmin: true,
    });
    this.addUser({
      id: 'U0003',
      name: 'alan',
      realName: 'Alan Turing',
      tz: 'Europe/London',
      tzLabel: 'Greenwich Mean Time',
      tzOffset: 0,
    });
    this.addUser({
      id: 'U0004',
      name: 'katherine',
      realName: 'Katherine Johnson',
      tz: 'America/Los_Angeles',
      tzLabel: 'Pacific Standard Time',
      tzOffset: -28800,
    });
    this.addChannel({ id: 'C0001', name: 'coffee' });
    this.addChannel({ id: 'C0002', name: 'general' });
  }

  addTeam(input: NewTeam): Team {
    const id = input.id ?? this.nextId('T');
    const team: Team = {
      id,
      name: input.name,
      domain: input.domain ?? input.name.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      botUserId: `U0BOT${id.replace(/^T/, '')}`,
      botId: `B0BOT${id.replace(/^T/, '')}`,
    };
    this.teams.set(id, team);
    this.users.set(team.botUserId, {
      id: team.botUserId,
      teamId: id,
      name: 'coffeebuddy',
      realName: 'CoffeeBuddy',
      tz: 'America/Los_Angeles',
      tzLabel: 'Pacific Standard Time',
      tzOffset: -28800,
      isAdmin: false,
      isOwner: false,
      isBot: true,
      deleted: false,
    });
    return team;
  }

  addUser(input: NewUser): User {
    const teamId = input.teamId ?? DEFAULT_TEAM_ID;
    this.requireTeam(teamId);
    const user: User = {
      id: input.id ?? this.nextId('U'),
      teamId,
      name: input.name,
      realName: input.realName ?? input.name,
      tz: input.tz ?? 'Europe/London',
      tzLabel: input.tzLabel ?? 'Greenwich Mean Time',
      tzOffset: input.tzOffset ?? 0,
      isAdmin: input.isAdmin ?? input.isOwner ?? false,
      isOwner: input.isOwner ?? false,
      isBot: input.isBot ?? false,
      deleted: false,
    };
    this.users.set(user.id, user);
    return user;
  }

  addChannel(input: NewChannel): Channel {
    const teamId = input.teamId ?? DEFAULT_TEAM_ID;
    this.requireTeam(teamId);
    const channel: Channel = {
      id: input.id ?? this.nextId(input.isPrivate ? 'G' : 'C'),
      teamId,
      name: input.name.replace(/^#/, ''),
      isIm: false,
      isPrivate: input.isPrivate ?? false,
      created: Math.floor(this.now() / 1000),
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** Installs the app's bot in a team: a bot token valid for that team only. */
  issueBotToken(teamId: string, token?: string, scopes: string[] = DEFAULT_BOT_SCOPES): Token {
    const team = this.requireTeam(teamId);
    const value = token ?? `xoxb-${teamId}-${Date.now()}-${randomBytes(12).toString('hex')}`;
    const record: Token = { token: value, teamId, type: 'bot', userId: team.botUserId, scopes: [...scopes] };
    this.tokens.set(value, record);
    return record;
  }

  issueUserToken(teamId: string, userId: string, scopes: string[]): Token {
    this.requireTeam(teamId);
    const value = `xoxp-${teamId}-${userId}-${randomBytes(12).toString('hex')}`;
    const record: Token = { token: value, teamId, type: 'user', userId, scopes: [...scopes] };
    this.tokens.set(value, record);
    return record;
  }

  botTokenFor(teamId: string): Token | undefined {
    for (const token of this.tokens.values()) {
      if (token.teamId === teamId && token.type === 'bot') return token;
    }
    return undefined;
  }

  /** The IM between the app's bot and a person, created on first use (`conversations.open`). */
  openIm(teamId: string, userId: string): { channel: Channel; created: boolean } {
    for (const channel of this.channels.values()) {
      if (channel.isIm && channel.teamId === teamId && channel.user === userId) {
        return { channel, created: false };
      }
    }
    const channel: Channel = {
      id: this.nextId('D'),
      teamId,
      name: userId,
      isIm: true,
      isPrivate: true,
      user: userId,
      created: Math.floor(this.now() / 1000),
    };
    this.channels.set(channel.id, channel);
    return { channel, created: true };
  }

  /** A channel of a team by ID, `#name` or name — the forms `chat.postMessage` accepts. */
  findChannel(teamId: string, ref: string): Channel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId.teamId === teamId ? byId : undefined;
    const name = ref.replace(/^#/, '');
    for (const channel of this.channels.values()) {
      if (channel.teamId === teamId && !channel.isIm && channel.name === name) return channel;
    }
    return undefined;
  }

  findUser(teamId: string, userId: string): User | undefined {
    const user = this.users.get(userId);
    return user && user.teamId === teamId ? user : undefined;
  }

  requireTeam(teamId: string): Team {
    const team = this.teams.get(teamId);
    if (!team) throw new Error(`slack-emulator: unknown team ${teamId}; add it with addTeam() first`);
    return team;
  }
}
