import { describe, expect, it } from 'vitest';
import { appDmOf, applyEvent, CALLS_KEPT, homeOf, topModalOf, visibleMessages } from '../src/store';
import type { PageMessage, PageState } from '../src/types';

const message = (ts: string, extra: Partial<PageMessage> = {}): PageMessage => ({
  type: 'message',
  channel: 'C0001',
  team: 'T0001',
  ts,
  user: 'U0BOT0001',
  text: `message ${ts}`,
  blocks: [],
  ephemeral: false,
  deleted: false,
  via: 'chat.postMessage',
  ...extra,
});

const view = (id: string, userId: string, type: 'modal' | 'home', hash = '1.a') => ({
  userId,
  view: { id, hash, type, external_id: '', team_id: 'T0001', blocks: [] },
});

const state = (): PageState => ({
  seq: 10,
  team: { id: 'T0001', name: 'coffeebuddy-dev', domain: 'coffeebuddy-dev' },
  app: {
    name: 'CoffeeBuddy',
    appId: 'A0COFFEE01',
    botUserId: 'U0BOT0001',
    connected: true,
    commands: ['/coffee'],
  },
  people: [],
  conversations: [{ id: 'D0001', name: 'U0002', isIm: true, isPrivate: true, user: 'U0002' }],
  messages: [message('100.000100'), message('100.000300', { ephemeral: true, visible_to: 'U0003' })],
  views: [view('V1', 'U0002', 'home')],
  modals: {},
  calls: [],
  faults: { latencyMs: 0, failures: [] },
});

describe('applyEvent', () => {
  it('adds a posted message in ts order and replaces an updated one', () => {
    const posted = applyEvent(state(), { seq: 11, kind: 'message', message: message('100.000200') });
    expect(posted.messages.map((m) => m.ts)).toEqual(['100.000100', '100.000200', '100.000300']);
    const updated = applyEvent(posted, {
      seq: 12,
      kind: 'message',
      message: message('100.000200', { text: 'changed', edited: { user: 'U0BOT0001', ts: '101.000000' } }),
    });
    expect(updated.messages.find((m) => m.ts === '100.000200')?.text).toBe('changed');
    expect(updated.messages).toHaveLength(3);
  });

  it('removes a deleted message', () => {
    const next = applyEvent(state(), {
      seq: 11,
      kind: 'message',
      message: message('100.000100', { deleted: true }),
    });
    expect(next.messages.map((m) => m.ts)).toEqual(['100.000300']);
  });

  it('ignores what the snapshot already holds (seq at or below its own)', () => {
    const before = state();
    expect(applyEvent(before, { seq: 10, kind: 'message', message: message('100.000900') })).toBe(before);
    expect(applyEvent(before, { seq: 3, kind: 'faults', faults: { latencyMs: 5, failures: [] } })).toBe(
      before,
    );
  });

  it('replaces views (views.update, views.publish) and modal stacks, and drops emptied stacks', () => {
    const published = applyEvent(state(), {
      seq: 11,
      kind: 'view',
      view: view('V1', 'U0002', 'home', '2.b'),
    });
    expect(published.views).toHaveLength(1);
    expect(homeOf(published, 'U0002')?.view.hash).toBe('2.b');
    const opened = applyEvent(published, { seq: 12, kind: 'view', view: view('V2', 'U0002', 'modal') });
    const stacked = applyEvent(opened, { seq: 13, kind: 'modals', userId: 'U0002', viewIds: ['V2'] });
    expect(topModalOf(stacked, 'U0002')?.view.id).toBe('V2');
    const closed = applyEvent(stacked, { seq: 14, kind: 'modals', userId: 'U0002', viewIds: [] });
    expect(closed.modals).toEqual({});
    expect(topModalOf(closed, 'U0002')).toBeUndefined();
  });

  it('keeps the newest calls only', () => {
    let next = state();
    for (let i = 0; i < CALLS_KEPT + 5; i += 1) {
      next = applyEvent(next, {
        seq: 11 + i,
        kind: 'call',
        call: {
          method: `m${i}`,
          args: {},
          tokenPresent: true,
          at: i,
          latencyMs: 1,
          status: 200,
          response: { ok: true },
        },
      });
    }
    expect(next.calls).toHaveLength(CALLS_KEPT);
    expect(next.calls[0]?.method).toBe('m5');
  });

  it('leaves the old state untouched', () => {
    const before = state();
    applyEvent(before, { seq: 11, kind: 'message', message: message('100.000200') });
    expect(before.messages).toHaveLength(2);
    expect(before.seq).toBe(10);
  });
});

describe('what a person sees', () => {
  it('ephemeral messages only for the person they are meant for', () => {
    expect(visibleMessages(state(), 'C0001', 'U0001').map((m) => m.ts)).toEqual(['100.000100']);
    expect(visibleMessages(state(), 'C0001', 'U0003').map((m) => m.ts)).toEqual(['100.000100', '100.000300']);
  });

  it('the app DM and Home of that person only', () => {
    expect(appDmOf(state(), 'U0002')?.id).toBe('D0001');
    expect(appDmOf(state(), 'U0001')).toBeUndefined();
    expect(homeOf(state(), 'U0001')).toBeUndefined();
  });
});
