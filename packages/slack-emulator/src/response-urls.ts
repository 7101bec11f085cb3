import { randomBytes } from 'node:crypto';
import { checkMessage, formatProblem } from './block-kit';
import type { StoredMessage, WebApi } from './web-api';

/**
 * response_url endpoints: what an app posts to after a slash command or an interaction. Slack
 * accepts up to five posts per URL within 30 minutes; the emulator does the same.
 */

export interface ResponseUrlContext {
  teamId: string;
  channelId: string;
  /** The person who ran the command / clicked; ephemeral responses are shown to them. */
  userId: string;
  /** The message the interaction came from, for `replace_original` / `delete_original`. */
  messageTs?: string;
}

export interface RecordedResponse {
  id: string;
  url: string;
  at: number;
  context: ResponseUrlContext;
  /** The JSON the app posted. */
  body: Record<string, unknown>;
  status: number;
  result: Record<string, unknown>;
  /** The message it created or changed, if any. */
  messageTs?: string;
}

interface ResponseUrlRecord {
  id: string;
  context: ResponseUrlContext;
  createdAt: number;
  uses: number;
}

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export interface ResponseUrlOutcome {
  status: number;
  result: Record<string, unknown>;
  messageTs?: string;
}

export class ResponseUrls {
  private readonly urls = new Map<string, ResponseUrlRecord>();

  constructor(
    private readonly webApi: WebApi,
    private readonly now: () => number,
  ) {}

  create(context: ResponseUrlContext): string {
    const id = `${context.teamId}/${Math.floor(this.now() / 1000)}/${randomBytes(12).toString('hex')}`;
    this.urls.set(id, { id, context, createdAt: this.now(), uses: 0 });
    return id;
  }

  context(id: string): ResponseUrlContext | undefined {
    return this.urls.get(id)?.context;
  }

  clear(): void {
    this.urls.clear();
  }

  post(id: string, body: unknown): ResponseUrlOutcome {
    const record = this.urls.get(id);
    if (!record) return { status: 404, result: { ok: false, error: 'invalid_url' } };
    if (this.now() - record.createdAt > RESPONSE_URL_TTL_MS) {
      return { status: 404, result: { ok: false, error: 'expired_url' } };
    }
    if (record.uses >= RESPONSE_URL_MAX_USES)
      return { status: 404, result: { ok: false, error: 'used_url' } };
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { status: 400, result: { ok: false, error: 'invalid_payload' } };
    }
    record.uses += 1;
    const payload = body as Record<string, unknown>;
    const { context } = record;
    const original = context.messageTs ? this.findOriginal(context) : undefined;

    if (payload.delete_original === true || payload.delete_original === 'true') {
      if (!original) return { status: 404, result: { ok: false, error: 'message_not_found' } };
      this.webApi.deleteMessage(original);
      return { status: 200, result: { ok: true }, messageTs: original.ts };
    }

    const check = checkMessage({
      text: payload.text,
      blocks: payload.blocks,
      attachments: payload.attachments,
    });
    if (!check.ok) {
      return {
        status: 400,
        result: {
          ok: false,
          error: check.error,
          ...(check.problems.length > 0
            ? { response_metadata: { messages: check.problems.map(formatProblem) } }
            : {}),
        },
      };
    }
    const text = typeof payload.text === 'string' ? payload.text : '';
    const blocks = Array.isArray(payload.blocks) ? payload.blocks : [];

    if ((payload.replace_original === true || payload.replace_original === 'true') && original) {
      this.webApi.replaceMessage(original, { text, blocks }, original.user);
      return { status: 200, result: { ok: true }, messageTs: original.ts };
    }

    const team = this.webApi.teamOf(context.teamId);
    const inChannel = payload.response_type === 'in_channel';
    const message = this.webApi.postMessage({
      channel: context.channelId,
      team: context.teamId,
      user: team.botUserId,
      bot_id: team.botId,
      app_id: this.webApi.appId,
      text,
      blocks,
      ephemeral: !inChannel,
      ...(inChannel ? {} : { visible_to: context.userId }),
      ...(typeof payload.thread_ts === 'string' ? { thread_ts: payload.thread_ts } : {}),
      via: 'response_url',
    });
    return { status: 200, result: { ok: true }, messageTs: message.ts };
  }

  private findOriginal(context: ResponseUrlContext): StoredMessage | undefined {
    return this.webApi.messages.find(
      (m) =>
        m.channel === context.channelId &&
        m.ts === context.messageTs &&
        !m.deleted &&
        (!m.ephemeral || m.visible_to === context.userId),
    );
  }
}
