import { render } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import {
  type ElementAction,
  type Reader,
  ReaderContext,
  type StateValue,
  type Surface,
  SurfaceContext,
} from '../src/surface';
import type { PageConversation, PagePerson } from '../src/types';

/** The seeded workspace, as the page gets it from the emulator. */
export const PEOPLE: PagePerson[] = [
  {
    id: 'U0001',
    name: 'ada',
    realName: 'Ada Lovelace',
    tz: 'Europe/London',
    tzLabel: 'Greenwich Mean Time',
    isAdmin: true,
    isOwner: true,
    isBot: false,
  },
  {
    id: 'U0002',
    name: 'grace',
    realName: 'Grace Hopper',
    tz: 'America/New_York',
    tzLabel: 'Eastern Standard Time',
    isAdmin: true,
    isOwner: false,
    isBot: false,
  },
  {
    id: 'U0003',
    name: 'alan',
    realName: 'Alan Turing',
    tz: 'Europe/London',
    tzLabel: 'Greenwich Mean Time',
    isAdmin: false,
    isOwner: false,
    isBot: false,
  },
  {
    id: 'U0BOT0001',
    name: 'coffeebuddy',
    realName: 'CoffeeBuddy',
    tz: 'America/Los_Angeles',
    tzLabel: 'Pacific Standard Time',
    isAdmin: false,
    isOwner: false,
    isBot: true,
  },
];

export const CONVERSATIONS: PageConversation[] = [
  { id: 'C0001', name: 'coffee', isIm: false, isPrivate: false },
  { id: 'C0002', name: 'general', isIm: false, isPrivate: false },
];

/** 2024-11-25 10:00 UTC: "today" in the fixtures. */
export const NOW = new Date(Date.UTC(2024, 10, 25, 10, 0, 0));

export function reader(userId = 'U0001', timeZone = 'Europe/London'): Reader {
  return {
    userId,
    timeZone,
    person: (id) => PEOPLE.find((p) => p.id === id),
    people: () => PEOPLE,
    conversation: (id) => CONVERSATIONS.find((c) => c.id === id),
    now: () => NOW,
  };
}

/** A surface that records what its controls did, with state.values kept in a plain object. */
export function recordingSurface(kind: Surface['kind'] = 'message', errors: Record<string, string> = {}) {
  const actions: ElementAction[] = [];
  const values: Record<string, Record<string, StateValue>> = {};
  const surface: Surface = {
    kind,
    interactive: true,
    errors,
    act: (action) => actions.push(action),
    value: (blockId, actionId) => values[blockId]?.[actionId],
    setValue: (blockId, actionId, value) => {
      values[blockId] = { ...values[blockId], [actionId]: value };
    },
  };
  return { surface, actions, values };
}

export function renderWith(node: ComponentChildren, options: { surface?: Surface; reader?: Reader } = {}) {
  return render(
    <ReaderContext.Provider value={options.reader ?? reader()}>
      {options.surface ? (
        <SurfaceContext.Provider value={options.surface}>{node}</SurfaceContext.Provider>
      ) : (
        node
      )}
    </ReaderContext.Provider>,
  );
}
