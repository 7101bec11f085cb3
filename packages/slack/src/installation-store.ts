import type { Db } from '@coffeebuddy/db';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { TokenCipher } from './token-cipher';

export class InstallationNotFoundError extends Error {
  readonly code = 'INSTALLATION_NOT_FOUND';
}

export function installKeyOf(query: {
  isEnterpriseInstall?: boolean;
  enterpriseId?: string | undefined;
  teamId?: string | undefined;
}): string {
  if (query.isEnterpriseInstall) {
    if (!query.enterpriseId)
      throw new InstallationNotFoundError('an org-wide installation needs an enterprise ID');
    return `E:${query.enterpriseId}`;
  }
  if (!query.teamId) throw new InstallationNotFoundError('a workspace installation needs a team ID');
  return `T:${query.teamId}`;
}

/**
 * @slack/oauth's installation store on PostgreSQL. The whole Installation (with its tokens) is
 * stored AES-256-GCM encrypted in `installation_enc`; only lookup keys are in clear.
 */
export class PrismaInstallationStore implements InstallationStore {
  constructor(
    private readonly db: Db,
    private readonly cipher: TokenCipher,
  ) {}

  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(
    installation: Installation<AuthVersion, boolean>,
  ): Promise<void> {
    const teamId = installation.team?.id ?? null;
    const enterpriseId = installation.enterprise?.id ?? null;
    const isEnterpriseInstall = installation.isEnterpriseInstall ?? false;
    const installKey = installKeyOf({
      isEnterpriseInstall,
      enterpriseId: enterpriseId ?? undefined,
      teamId: teamId ?? undefined,
    });
    const data = {
      teamId,
      enterpriseId,
      isEnterpriseInstall,
      appId: installation.appId ?? null,
      botUserId: installation.bot?.userId ?? null,
      installerUserId: installation.user.id,
      installationEnc: this.cipher.encrypt(JSON.stringify(installation)),
    };
    await this.db.slackInstallation.upsert({
      where: { installKey },
      create: { installKey, ...data },
      update: data,
    });
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const row = await this.db.slackInstallation.findUnique({ where: { installKey: installKeyOf(query) } });
    if (!row) {
      throw new InstallationNotFoundError(
        `no installation for ${installKeyOf(query)}: install the app first (/slack/install)`,
      );
    }
    return JSON.parse(this.cipher.decrypt(row.installationEnc)) as Installation<'v1' | 'v2', boolean>;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.db.slackInstallation.deleteMany({ where: { installKey: installKeyOf(query) } });
  }
}

/** The token cache's key: a team, within its Enterprise Grid org when it has one. */
const cacheKey = (teamId: string, enterpriseId?: string) => `${enterpriseId ?? ''}:${teamId}`;

/** How long a bot token read from the store is reused before it is read again (ms). */
export const BOT_TOKEN_CACHE_MS = 60_000;

/**
 * Finds the bot token for a workspace: its stored installation, else a configured dev token.
 * A token found is kept for `cacheTtlMs` (default BOT_TOKEN_CACHE_MS), so a Slack call costs no
 * database read or decryption; a caller whose call Slack refused for its token (`invalid_auth`,
 * `token_revoked`, …: a reinstall or rotation replaced it) calls `forget` and asks again.
 * Throws InstallationNotFoundError when the workspace has no installation and no dev token is set.
 */
export class BotTokenResolver {
  private readonly cache = new Map<string, { token: string; until: number }>();
  private readonly cacheTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: InstallationStore,
    private readonly fallbackToken?: string,
    options: { cacheTtlMs?: number; now?: () => number } = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? BOT_TOKEN_CACHE_MS;
    this.now = options.now ?? Date.now;
  }

  async botTokenFor(teamId: string, enterpriseId?: string): Promise<string> {
    const key = cacheKey(teamId, enterpriseId);
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.token;
    const token = await this.lookUp(teamId, enterpriseId);
    this.cache.set(key, { token, until: this.now() + this.cacheTtlMs });
    return token;
  }

  /**
   * Drops the team's cached token if it is `token` (the one Slack refused), so the next
   * `botTokenFor` reads the store. Returns whether it was dropped (false: the cache holds another
   * token already, or none — a concurrent call may have replaced it).
   */
  forget(teamId: string, token: string, enterpriseId?: string): boolean {
    const key = cacheKey(teamId, enterpriseId);
    if (this.cache.get(key)?.token !== token) return false;
    this.cache.delete(key);
    return true;
  }

  private async lookUp(teamId: string, enterpriseId?: string): Promise<string> {
    try {
      const installation = await this.store.fetchInstallation({
        teamId,
        enterpriseId,
        isEnterpriseInstall: false,
      });
      const token = installation.bot?.token;
      if (token) return token;
    } catch (error) {
      if (!(error instanceof InstallationNotFoundError) || !this.fallbackToken) throw error;
    }
    if (this.fallbackToken) return this.fallbackToken;
    throw new InstallationNotFoundError(`installation for team ${teamId} has no bot token`);
  }
}
