import { checkMessage } from './block-kit';
import { SlackApiError, type StoredMessage, type WebApi } from './web-api';

/**
 * What Slack does with the app's HTTP answer to a request it sent: a slash command's answer
 * becomes a message (ephemeral unless `response_type: 'in_channel'`), a view_submission's
 * answer closes, updates or pushes the modal or shows field errors. The driver only sends the
 * request; these rules are the part of Slack's client a person would otherwise not see.
 *
 * Sources: api.slack.com/interactivity/slash-commands ("Responding to commands"), and
 * api.slack.com/surfaces/modals ("Handling submissions": `response_action`).
 */

/** Slack waits 3 s for the app to answer a slash command or an interaction. */
export const SLACK_ANSWER_TIMEOUT_MS = 3_000;

/** Slack's user ID for its own notices (`USLACKBOT`). */
export const SLACKBOT_USER_ID = 'USLACKBOT';

/** The answer the app gave, or why there was none. */
export type AppAnswer =
  | { kind: 'http'; status: number; body: unknown }
  /** No answer within `afterMs` (Slack: {@link SLACK_ANSWER_TIMEOUT_MS}). */
  | { kind: 'timeout'; afterMs: number }
  /** The request URL could not be reached (connection refused, DNS, reset). */
  | { kind: 'unreachable'; detail: string };

export interface CommandContext {
  teamId: string;
  channelId: string;
  userId: string;
  /** `/coffee` */
  command: string;
  text: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Slack's notice for a command whose app did not answer well, shown to the person only. */
function commandFailed(
  webApi: WebApi,
  context: CommandContext,
  error: string,
  detail: string,
): StoredMessage {
  return webApi.postMessage({
    channel: context.channelId,
    team: context.teamId,
    user: SLACKBOT_USER_ID,
    text: `${context.command} failed with the error "${error}" (emulator: ${detail})`,
    blocks: [],
    ephemeral: true,
    visible_to: context.userId,
    via: 'slackbot',
  });
}

/** Slack's words for a slash command that no app in the workspace declares (shown only to the person). */
export function showUnknownCommand(webApi: WebApi, context: CommandContext): StoredMessage {
  return webApi.postMessage({
    channel: context.channelId,
    team: context.teamId,
    user: SLACKBOT_USER_ID,
    text: `${context.command} is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.`,
    blocks: [],
    ephemeral: true,
    visible_to: context.userId,
    via: 'slackbot',
  });
}

/**
 * Shows the app's answer to a slash command as Slack would and returns the messages it
 * created: nothing for an empty 200; a plain-text body or a JSON `text`/`blocks` answer as an
 * ephemeral message to the person, or, with `response_type: 'in_channel'`, the person's
 * command and the answer in the channel; any other status, a timeout or an unreachable app as
 * Slackbot's ephemeral `… failed with the error "…"` (`operation_timeout` or `dispatch_failed`).
 */
export function showCommandAnswer(
  webApi: WebApi,
  context: CommandContext,
  answer: AppAnswer,
): StoredMessage[] {
  if (answer.kind === 'timeout') {
    return [commandFailed(webApi, context, 'operation_timeout', `no answer within ${answer.afterMs} ms`)];
  }
  if (answer.kind === 'unreachable') {
    return [
      commandFailed(webApi, context, 'dispatch_failed', `the app could not be reached: ${answer.detail}`),
    ];
  }
  if (answer.status !== 200) {
    return [commandFailed(webApi, context, 'dispatch_failed', `the app answered HTTP ${answer.status}`)];
  }
  const body =
    typeof answer.body === 'string' && answer.body.trim() !== '' ? { text: answer.body } : answer.body;
  if (!isRecord(body) || (body.text === undefined && body.blocks === undefined)) return [];
  const check = checkMessage({ text: body.text, blocks: body.blocks, attachments: body.attachments });
  if (!check.ok) {
    const problems = check.problems.map((p) => `${p.message} at ${p.pointer}`).join('; ');
    return [
      commandFailed(webApi, context, check.error, `its answer was refused${problems ? `: ${problems}` : ''}`),
    ];
  }
  const team = webApi.teamOf(context.teamId);
  const fromApp = {
    channel: context.channelId,
    team: context.teamId,
    user: team.botUserId,
    bot_id: team.botId,
    app_id: webApi.appId,
    text: typeof body.text === 'string' ? body.text : '',
    blocks: Array.isArray(body.blocks) ? body.blocks : [],
    via: 'command_response' as const,
  };
  if (body.response_type === 'in_channel') {
    // Slack shows the person's command too, so the channel sees what the answer answers.
    const invocation = webApi.postMessage({
      channel: context.channelId,
      team: context.teamId,
      user: context.userId,
      text: `${context.command} ${context.text}`.trim(),
      blocks: [],
      ephemeral: false,
      via: 'person',
    });
    return [invocation, webApi.postMessage({ ...fromApp, ephemeral: false })];
  }
  return [webApi.postMessage({ ...fromApp, ephemeral: true, visible_to: context.userId })];
}

/** What became of a submitted modal. */
export type SubmissionOutcome =
  | { outcome: 'closed' }
  | { outcome: 'cleared' }
  | { outcome: 'updated'; viewId: string }
  | { outcome: 'pushed'; viewId: string }
  /** The modal stays open with these messages under the input blocks (block_id → message). */
  | { outcome: 'errors'; errors: Record<string, string> }
  /** The modal stays open with Slack's generic error; `detail` says why, for developers. */
  | { outcome: 'failed'; message: string; detail: string };

/** Slack's words when an app answers a submission badly or not at all. */
export const SUBMISSION_TROUBLE = 'We had some trouble connecting. Try again?';

function failed(detail: string): SubmissionOutcome {
  return { outcome: 'failed', message: SUBMISSION_TROUBLE, detail };
}

function inputBlockIds(webApi: WebApi, viewId: string): Set<string> {
  const blocks = webApi.views.get(viewId)?.view.blocks;
  const ids = new Set<string>();
  for (const block of Array.isArray(blocks) ? blocks : []) {
    if (isRecord(block) && block.type === 'input' && typeof block.block_id === 'string')
      ids.add(block.block_id);
  }
  return ids;
}

/** `response_action: errors`: every key must be the block_id of an input block of the view. */
function fieldErrors(webApi: WebApi, viewId: string, errors: unknown): SubmissionOutcome {
  if (!isRecord(errors) || Object.keys(errors).length === 0) {
    return failed('response_action "errors" without an errors object');
  }
  const known = inputBlockIds(webApi, viewId);
  const unknown = Object.keys(errors).filter((blockId) => !known.has(blockId));
  if (unknown.length > 0) {
    return failed(`errors name block_ids that are not input blocks of this view: ${unknown.join(', ')}`);
  }
  return {
    outcome: 'errors',
    errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, String(v)])),
  };
}

/**
 * Applies the app's answer to a view_submission as Slack does. An empty 200 (or any 200 without
 * `response_action`) closes the submitted modal; `clear` closes all of the person's modals;
 * `update` replaces the submitted view and `push` stacks a new one (checked like `views.update`
 * and `views.push`); `errors` keeps it open with field errors. Any other status, a timeout or an
 * unreachable app keeps it open with {@link SUBMISSION_TROUBLE}.
 */
export function applySubmissionAnswer(
  webApi: WebApi,
  userId: string,
  viewId: string,
  answer: AppAnswer,
): SubmissionOutcome {
  if (answer.kind === 'timeout') return failed(`no answer within ${answer.afterMs} ms`);
  if (answer.kind === 'unreachable') return failed(`the app could not be reached: ${answer.detail}`);
  if (answer.status !== 200) return failed(`the app answered HTTP ${answer.status}`);
  const body = isRecord(answer.body) ? answer.body : {};
  switch (body.response_action) {
    case undefined:
      webApi.closeModal(userId, viewId);
      return { outcome: 'closed' };
    case 'clear':
      webApi.clearModals(userId);
      return { outcome: 'cleared' };
    case 'errors':
      return fieldErrors(webApi, viewId, body.errors);
    case 'update':
    case 'push':
      try {
        const stored = webApi.answerSubmission(userId, viewId, body.response_action, body.view);
        return body.response_action === 'update'
          ? { outcome: 'updated', viewId: stored.view.id }
          : { outcome: 'pushed', viewId: stored.view.id };
      } catch (error) {
        if (!(error instanceof SlackApiError)) throw error;
        const messages = (error.extra.response_metadata as { messages?: string[] } | undefined)?.messages;
        return failed(
          `response_action "${body.response_action}" refused: ${error.error}${messages ? ` (${messages.join('; ')})` : ''}`,
        );
      }
    default:
      return failed(`unknown response_action "${String(body.response_action)}"`);
  }
}
