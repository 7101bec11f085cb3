import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { followChanges, pageApi, reportProblems } from './api';
import { Blocks } from './blocks';
import { Composer, MessageList } from './conversation';
import { DevPanel } from './dev-panel';
import { Modal } from './modal';
import { AddPerson, PersonSwitcher } from './people';
import { appDmOf, applyEvent, homeOf, topModalOf, visibleMessages } from './store';
import { type Reader, ReaderContext, SurfaceContext } from './surface';
import type { PageEvent, PageState } from './types';
import { useInteractiveSurface } from './view-state';

/** Where the person is: a channel, or the app's Home or Messages tab. Kept in the URL. */
type Place = { kind: 'channel'; id: string } | { kind: 'app'; tab: 'home' | 'messages' };

function placeFromHash(): Place | undefined {
  const hash = decodeURIComponent(window.location.hash.slice(1));
  if (hash === 'app-home') return { kind: 'app', tab: 'home' };
  if (hash === 'app-messages') return { kind: 'app', tab: 'messages' };
  if (/^[CG][A-Z0-9]+$/.test(hash)) return { kind: 'channel', id: hash };
  return undefined;
}

function hashOf(place: Place): string {
  return place.kind === 'channel' ? place.id : `app-${place.tab}`;
}

/** The snapshot plus the live stream; a new snapshot whenever the stream (re)connects or asks. */
function useEmulatorState(onProblem: (text: string) => void) {
  const [state, setState] = useState<PageState | undefined>(undefined);
  const [live, setLive] = useState(false);
  const pending = useRef<PageEvent[] | undefined>([]);

  const refresh = useCallback(() => {
    pending.current ??= [];
    pageApi
      .state()
      .then((snapshot) => {
        const queued = pending.current ?? [];
        pending.current = undefined;
        setState(queued.reduce(applyEvent, snapshot));
      })
      .catch((error: Error) => onProblem(`could not load the emulator's state: ${error.message}`));
  }, [onProblem]);

  useEffect(
    () =>
      followChanges({
        onOpen: () => {
          setLive(true);
          refresh();
        },
        onDown: () => setLive(false),
        onEvent: (event) => {
          if (event.kind === 'refresh') return refresh();
          if (pending.current) pending.current.push(event);
          else setState((old) => (old ? applyEvent(old, event) : old));
        },
      }),
    [refresh],
  );
  return { state, live };
}

function HomeTab({
  state,
  userId,
  interactive,
  onProblem,
}: {
  state: PageState;
  userId: string;
  interactive: boolean;
  onProblem: (text: string) => void;
}) {
  const home = homeOf(state, userId);
  const blocks = (home?.view.blocks as unknown[] | undefined) ?? [];
  const { surface } = useInteractiveSurface({
    kind: 'home',
    key: `${home?.view.id ?? 'none'}:${home?.view.hash ?? ''}`,
    blocks,
    userId,
    where: { viewId: home?.view.id ?? '' },
    interactive,
    onProblem,
  });
  if (!home) {
    return (
      <p class="empty">
        {state.app.name} has not published a Home tab for you yet
        {interactive ? ' (it was asked to just now).' : '.'}
      </p>
    );
  }
  return (
    <section class="home" aria-label={`${state.app.name} Home`}>
      <SurfaceContext.Provider value={surface}>
        <Blocks blocks={blocks} />
      </SurfaceContext.Provider>
    </section>
  );
}

export function App() {
  const [problems, setProblems] = useState<Array<{ id: number; text: string }>>([]);
  const onProblem = useCallback((text: string) => {
    setProblems((old) => [...old.slice(-4), { id: Date.now() + Math.random(), text }]);
  }, []);
  const { state, live } = useEmulatorState(onProblem);
  const params = new URLSearchParams(window.location.search);
  const [userId, setUserId] = useState(params.get('as') ?? 'U0001');
  const [place, setPlace] = useState<Place>(placeFromHash() ?? { kind: 'channel', id: 'C0001' });
  const [addingPerson, setAddingPerson] = useState(false);
  const [devOpen, setDevOpen] = useState(params.get('dev') !== '0');

  useEffect(() => {
    const url = new URL(window.location.href);
    url.searchParams.set('as', userId);
    url.hash = hashOf(place);
    window.history.replaceState(null, '', url);
  }, [userId, place]);

  // Slack tells the app each time a person opens its Home or Messages tab.
  const connected = state?.app.connected ?? false;
  const appTab = place.kind === 'app' ? place.tab : undefined;
  useEffect(() => {
    if (!appTab || !connected) return;
    reportProblems(pageApi.homeOpened(userId, appTab), 'app_home_opened', onProblem);
  }, [appTab, userId, connected, onProblem]);

  const viewer = state?.people.find((p) => p.id === userId);
  const reader = useMemo<Reader | undefined>(
    () =>
      state && {
        userId,
        timeZone: viewer?.tz ?? 'UTC',
        person: (id) => state.people.find((p) => p.id === id),
        people: () => state.people,
        conversation: (id) => state.conversations.find((c) => c.id === id),
        now: () => new Date(),
      },
    [state, userId, viewer?.tz],
  );

  if (!state || !reader) {
    return (
      <main class="loading" aria-busy="true">
        Loading the Slack emulator…
        {problems.map((p) => (
          <p key={p.id} role="alert">
            {p.text}
          </p>
        ))}
      </main>
    );
  }

  const channels = state.conversations.filter((c) => !c.isIm);
  const channel = place.kind === 'channel' ? channels.find((c) => c.id === place.id) : undefined;
  const dm = appDmOf(state, userId);
  const modal = topModalOf(state, userId);

  return (
    <ReaderContext.Provider value={reader}>
      <div class={`workspace${devOpen ? ' with-dev' : ''}`}>
        <header class="topbar">
          <strong class="team">{state.team.name}</strong>
          <span class={`live ${live ? 'on' : 'off'}`} role="status">
            {live ? 'Live' : 'Reconnecting…'}
          </span>
          {!state.app.connected && (
            <span class="warning" role="status">
              Not connected to an app: showing state only (set SLACK_EMULATOR_APP_URL and
              SLACK_SIGNING_SECRET)
            </span>
          )}
          <PersonSwitcher people={state.people} userId={userId} onChange={setUserId} />
          <span class="viewer-tz">{viewer ? `${viewer.tz} · ${viewer.tzLabel}` : ''}</span>
          <button type="button" onClick={() => setAddingPerson(true)}>
            Add a person
          </button>
          <button type="button" aria-pressed={devOpen} onClick={() => setDevOpen(!devOpen)}>
            Developer panel
          </button>
        </header>
        <nav class="sidebar" aria-label="Conversations">
          <h2>Channels</h2>
          <ul>
            {channels.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  aria-current={place.kind === 'channel' && place.id === c.id ? 'page' : undefined}
                  onClick={() => setPlace({ kind: 'channel', id: c.id })}
                >
                  # {c.name}
                </button>
              </li>
            ))}
          </ul>
          <h2>Apps</h2>
          <ul>
            <li>
              <button
                type="button"
                aria-current={place.kind === 'app' ? 'page' : undefined}
                onClick={() => setPlace({ kind: 'app', tab: 'home' })}
              >
                {state.app.name}
              </button>
            </li>
          </ul>
        </nav>
        <main class="pane">
          {place.kind === 'channel' ? (
            channel ? (
              <>
                <h1 class="pane-title"># {channel.name}</h1>
                <MessageList
                  label={`Messages in #${channel.name}`}
                  messages={visibleMessages(state, channel.id, userId)}
                  interactive={state.app.connected}
                  onProblem={onProblem}
                />
                <Composer
                  channelId={channel.id}
                  placeholder={`Message #${channel.name}`}
                  userId={userId}
                  enabled
                  onProblem={onProblem}
                />
              </>
            ) : (
              <p class="empty">No such channel.</p>
            )
          ) : (
            <>
              <h1 class="pane-title">{state.app.name}</h1>
              <div role="tablist" aria-label={`${state.app.name} tabs`} class="tabs">
                {(['home', 'messages'] as const).map((tab) => (
                  <button
                    key={tab}
                    type="button"
                    role="tab"
                    aria-selected={place.tab === tab}
                    onClick={() => setPlace({ kind: 'app', tab })}
                  >
                    {tab === 'home' ? 'Home' : 'Messages'}
                  </button>
                ))}
              </div>
              <div role="tabpanel" aria-label={place.tab === 'home' ? 'Home' : 'Messages'}>
                {place.tab === 'home' ? (
                  <HomeTab
                    state={state}
                    userId={userId}
                    interactive={state.app.connected}
                    onProblem={onProblem}
                  />
                ) : dm ? (
                  <>
                    <MessageList
                      label={`Messages with ${state.app.name}`}
                      messages={visibleMessages(state, dm.id, userId)}
                      interactive={state.app.connected}
                      onProblem={onProblem}
                    />
                    <Composer
                      channelId={dm.id}
                      placeholder={`Message ${state.app.name}`}
                      userId={userId}
                      enabled
                      onProblem={onProblem}
                    />
                  </>
                ) : (
                  <p class="empty">No messages with {state.app.name} yet.</p>
                )}
              </div>
            </>
          )}
        </main>
        {devOpen && <DevPanel state={state} onProblem={onProblem} />}
        <div class="problems" aria-live="assertive">
          {problems.map((p) => (
            <p key={p.id} class="problem" role="alert">
              {p.text}
              <button
                type="button"
                class="icon"
                aria-label="Dismiss"
                onClick={() => setProblems((old) => old.filter((o) => o.id !== p.id))}
              >
                ×
              </button>
            </p>
          ))}
        </div>
        {modal && (
          <Modal
            key={modal.view.id}
            stored={modal}
            userId={userId}
            interactive={state.app.connected}
            onProblem={onProblem}
          />
        )}
        {addingPerson && (
          <AddPerson
            onAdded={(id) => {
              setAddingPerson(false);
              setUserId(id);
            }}
            onClose={() => setAddingPerson(false)}
          />
        )}
      </div>
    </ReaderContext.Provider>
  );
}
