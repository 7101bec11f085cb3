import {
  type EmulatorChange,
  SLACKBOT_USER_ID,
  type SlackEmulator,
  type StoredMessage,
  SUBMISSION_TROUBLE,
} from '../src';
import { ORDER_MODAL, type Started, startEmulator } from './support';

/** What Slack does with the app's answers: commands become messages, submissions close or not. */

let started: Started;
let emulator: SlackEmulator;
const context = { teamId: 'T0001', channelId: 'C0001', userId: 'U0002', command: '/coffee', text: 'in 20m' };

beforeEach(async () => {
  started = await startEmulator();
  emulator = started.emulator;
});

afterEach(async () => {
  await emulator.stop();
});

const http = (status: number, body: unknown) => ({ kind: 'http' as const, status, body });
const seen = (m: StoredMessage) => ({
  user: m.user,
  text: m.text,
  ephemeral: m.ephemeral,
  visible_to: m.visible_to,
  via: m.via,
});

async function openModal(userId: string, view: Record<string, unknown>): Promise<string> {
  const trigger = emulator.issueTrigger({ userId });
  const opened = await started.client().views.open({ trigger_id: trigger, view: view as never });
  return String(opened.view?.id);
}

describe('the answer to a slash command', () => {
  it('an empty 200 shows nothing (the app answers later, or through response_url)', () => {
    expect(emulator.showCommandAnswer(context, http(200, ''))).toEqual([]);
    expect(emulator.showCommandAnswer(context, http(200, {}))).toEqual([]);
    expect(emulator.messagesIn('C0001')).toEqual([]);
  });

  it('text or blocks are shown to the person only, from the app', () => {
    const [json] = emulator.showCommandAnswer(
      context,
      http(200, { response_type: 'ephemeral', text: 'Usage: …' }),
    );
    const [plain] = emulator.showCommandAnswer(context, http(200, 'plain text answer'));
    expect(json && seen(json)).toEqual({
      user: 'U0BOT0001',
      text: 'Usage: …',
      ephemeral: true,
      visible_to: 'U0002',
      via: 'command_response',
    });
    expect(plain && seen(plain)).toMatchObject({
      text: 'plain text answer',
      ephemeral: true,
      visible_to: 'U0002',
    });
  });

  it('in_channel shows the person’s command and the answer to everyone', () => {
    const shown = emulator.showCommandAnswer(
      context,
      http(200, { response_type: 'in_channel', text: 'Run started' }),
    );
    expect(shown.map(seen)).toEqual([
      { user: 'U0002', text: '/coffee in 20m', ephemeral: false, visible_to: undefined, via: 'person' },
      {
        user: 'U0BOT0001',
        text: 'Run started',
        ephemeral: false,
        visible_to: undefined,
        via: 'command_response',
      },
    ]);
  });

  it.each([
    [http(500, 'oops'), 'dispatch_failed', 'the app answered HTTP 500'],
    [http(401, { error: 'invalid_signature' }), 'dispatch_failed', 'the app answered HTTP 401'],
    [{ kind: 'timeout' as const, afterMs: 3000 }, 'operation_timeout', 'no answer within 3000 ms'],
    [{ kind: 'unreachable' as const, detail: 'ECONNREFUSED' }, 'dispatch_failed', 'ECONNREFUSED'],
    [http(200, { text: 'x', blocks: [{ type: 'no_such_block' }] }), 'invalid_blocks', 'no_such_block'],
  ])('a bad answer (%j) becomes Slackbot’s notice to the person', (answer, error, detail) => {
    const [notice] = emulator.showCommandAnswer(context, answer);
    expect(notice?.user).toBe(SLACKBOT_USER_ID);
    expect(notice?.visible_to).toBe('U0002');
    expect(notice?.text).toContain(`/coffee failed with the error "${error}"`);
    expect(notice?.text).toContain(detail);
  });

  it('a command no app declares gets Slack’s own words', () => {
    const notice = emulator.showUnknownCommand({ ...context, command: '/tea' });
    expect(notice.text).toMatch(/^\/tea is not a valid command\./);
    expect(notice).toMatchObject({ user: SLACKBOT_USER_ID, ephemeral: true, visible_to: 'U0002' });
  });
});

describe('the answer to a view_submission', () => {
  it('an empty 200 closes the submitted modal', async () => {
    const viewId = await openModal('U0002', ORDER_MODAL);
    expect(emulator.modalStack('U0002')).toEqual([viewId]);
    expect(emulator.applySubmissionAnswer('U0002', viewId, http(200, ''))).toEqual({ outcome: 'closed' });
    expect(emulator.modalStack('U0002')).toEqual([]);
  });

  it('errors keep it open, when they name input blocks of the view', async () => {
    const viewId = await openModal('U0002', ORDER_MODAL);
    const errors = { order: 'Please say what you would like.' };
    expect(
      emulator.applySubmissionAnswer('U0002', viewId, http(200, { response_action: 'errors', errors })),
    ).toEqual({ outcome: 'errors', errors });
    const unknown = emulator.applySubmissionAnswer(
      'U0002',
      viewId,
      http(200, { response_action: 'errors', errors: { nope: 'x' } }),
    );
    expect(unknown).toMatchObject({ outcome: 'failed', message: SUBMISSION_TROUBLE });
    expect(unknown.outcome === 'failed' && unknown.detail).toContain('nope');
    expect(emulator.modalStack('U0002')).toEqual([viewId]);
  });

  it('update replaces the view, push stacks one, clear closes them all', async () => {
    const viewId = await openModal('U0002', ORDER_MODAL);
    const thanks = { type: 'modal', title: { type: 'plain_text', text: 'Thanks' }, blocks: [] };
    expect(
      emulator.applySubmissionAnswer('U0002', viewId, http(200, { response_action: 'update', view: thanks })),
    ).toEqual({ outcome: 'updated', viewId });
    expect(emulator.state.views.get(viewId)?.view.title).toEqual(thanks.title);
    const pushed = emulator.applySubmissionAnswer(
      'U0002',
      viewId,
      http(200, { response_action: 'push', view: ORDER_MODAL }),
    );
    expect(pushed.outcome).toBe('pushed');
    expect(emulator.modalStack('U0002')).toHaveLength(2);
    expect(emulator.applySubmissionAnswer('U0002', viewId, http(200, { response_action: 'clear' }))).toEqual({
      outcome: 'cleared',
    });
    expect(emulator.modalStack('U0002')).toEqual([]);
  });

  it('a view Slack would refuse, another status, a timeout or no app keep the modal open with Slack’s error', async () => {
    const viewId = await openModal('U0002', ORDER_MODAL);
    const badView = { type: 'modal', title: { type: 'plain_text', text: 'x'.repeat(25) }, blocks: [] };
    for (const answer of [
      http(200, { response_action: 'update', view: badView }),
      http(200, { response_action: 'sideways' }),
      http(500, ''),
      { kind: 'timeout' as const, afterMs: 3000 },
      { kind: 'unreachable' as const, detail: 'ECONNREFUSED' },
    ]) {
      const outcome = emulator.applySubmissionAnswer('U0002', viewId, answer);
      expect(outcome).toMatchObject({ outcome: 'failed', message: SUBMISSION_TROUBLE });
    }
    expect(emulator.modalStack('U0002')).toEqual([viewId]);
  });

  it('closing a modal closes what was pushed on top of it', async () => {
    const first = await openModal('U0002', ORDER_MODAL);
    const second = emulator.applySubmissionAnswer(
      'U0002',
      first,
      http(200, { response_action: 'push', view: ORDER_MODAL }),
    );
    expect(second.outcome).toBe('pushed');
    emulator.closeModal('U0002', first);
    expect(emulator.modalStack('U0002')).toEqual([]);
  });
});

describe('the change feed', () => {
  it('announces posts, updates, deletes, views, modal stacks, calls, faults and people, numbered', async () => {
    const changes: Array<[string, number]> = [];
    const stop = emulator.changes.subscribe((change: EmulatorChange, seq) =>
      changes.push([change.kind, seq]),
    );
    const client = started.client();
    const posted = await client.chat.postMessage({ channel: 'C0001', text: 'hi' });
    await client.chat.update({ channel: 'C0001', ts: String(posted.ts), text: 'hello' });
    await client.chat.delete({ channel: 'C0001', ts: String(posted.ts) });
    await openModal('U0003', ORDER_MODAL);
    await client.views.publish({ user_id: 'U0003', view: { type: 'home', blocks: [] } });
    emulator.failNext('chat.postMessage');
    emulator.addUser({ name: 'mary' });
    await client.conversations.open({ users: 'U0004' });
    stop();
    const before = changes.length;
    emulator.clearFaults();
    await client.chat.postMessage({ channel: 'C0001', text: 'after' });
    expect(changes).toHaveLength(before);

    const kinds = changes.map(([kind]) => kind);
    expect(kinds.filter((k) => k === 'message')).toHaveLength(3);
    expect(kinds).toEqual(expect.arrayContaining(['view', 'modals', 'call', 'faults', 'workspace']));
    expect(kinds.filter((k) => k === 'call')).toHaveLength(6);
    const seqs = changes.map(([, seq]) => seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(emulator.changes.lastSeq).toBeGreaterThan(seqs[seqs.length - 1] ?? 0);
  });

  it('a subscriber that throws never breaks the Web API call', async () => {
    emulator.changes.subscribe(() => {
      throw new Error('closed tab');
    });
    const posted = await started.client().chat.postMessage({ channel: 'C0001', text: 'still works' });
    expect(posted.ok).toBe(true);
  });
});
