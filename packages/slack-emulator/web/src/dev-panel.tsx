import { useState } from 'preact/hooks';
import { pageApi } from './api';
import type { PageState } from './types';

/** The Web API methods the emulator serves, for the "fail the next call" control. */
const METHODS = [
  '*',
  'chat.postMessage',
  'chat.update',
  'chat.delete',
  'chat.postEphemeral',
  'conversations.open',
  'conversations.info',
  'users.info',
  'views.open',
  'views.push',
  'views.update',
  'views.publish',
  'auth.test',
];

type Call = PageState['calls'][number];

function callOutcome(call: Call): string {
  if (call.response.ok === true) return 'ok';
  return String(call.response.error ?? `HTTP ${call.status}`);
}

function CallRow({ call }: { call: Call }) {
  const ok = call.response.ok === true;
  return (
    <li class={`call ${ok ? 'ok' : 'error'}`}>
      <details>
        <summary>
          <span class="call-method">{call.method}</span>
          <span class="call-latency">{call.latencyMs} ms</span>
          <span class="call-outcome">{callOutcome(call)}</span>
          <time class="call-time">{new Date(call.at).toLocaleTimeString()}</time>
        </summary>
        <pre class="call-json">
          {JSON.stringify({ args: call.args, status: call.status, response: call.response }, null, 2)}
        </pre>
      </details>
    </li>
  );
}

/** Fail the next call(s) of a method, and add latency to every call: the emulator's fault controls. */
function FaultControls({
  faults,
  onProblem,
}: {
  faults: PageState['faults'];
  onProblem: (text: string) => void;
}) {
  const [method, setMethod] = useState('chat.postMessage');
  const [error, setError] = useState('internal_error');
  const [rateLimit, setRateLimit] = useState(false);
  const [times, setTimes] = useState(1);
  const [latency, setLatency] = useState(String(faults.latencyMs));
  const report = (promise: Promise<void>) => promise.catch((e: Error) => onProblem(e.message));
  return (
    <section aria-label="Fault injection" class="faults">
      <h3>Make Slack misbehave</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          report(
            pageApi.failNext(
              rateLimit ? { method, status: 429, times } : { method, ...(error ? { error } : {}), times },
            ),
          );
        }}
      >
        <label>
          Method
          <select value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {m === '*' ? 'any method' : m}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={rateLimit}
            onChange={(e) => setRateLimit(e.currentTarget.checked)}
          />
          Rate limit (HTTP 429 with Retry-After)
        </label>
        {!rateLimit && (
          <label>
            Error code
            <input value={error} onInput={(e) => setError(e.currentTarget.value)} />
          </label>
        )}
        <label>
          Times
          <input
            type="number"
            min={1}
            max={1000}
            value={times}
            onInput={(e) => setTimes(Number(e.currentTarget.value))}
          />
        </label>
        <button type="submit">Fail next call</button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          report(pageApi.setLatency(Number(latency)));
        }}
      >
        <label>
          Latency (ms) for every call
          <input
            type="number"
            min={0}
            max={60000}
            value={latency}
            onInput={(e) => setLatency(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Set latency</button>
      </form>
      <p class="faults-now" aria-live="polite">
        Now: {faults.latencyMs} ms latency
        {faults.failures.length === 0
          ? ', no failures queued'
          : `; queued: ${faults.failures
              .map(
                (f) =>
                  `${f.method === '*' ? 'any method' : f.method} ×${f.times} (${f.status === 429 ? 'rate limited' : (f.error ?? 'internal_error')})`,
              )
              .join(', ')}`}
      </p>
      <button type="button" onClick={() => report(pageApi.clearFaults())}>
        Clear faults
      </button>
    </section>
  );
}

/** The developer panel: every Web API call the app made (newest first) and the fault controls. */
export function DevPanel({ state, onProblem }: { state: PageState; onProblem: (text: string) => void }) {
  const calls = [...state.calls].reverse();
  return (
    <aside class="dev-panel" aria-label="Developer panel">
      <h2>Developer panel</h2>
      <FaultControls faults={state.faults} onProblem={onProblem} />
      <section aria-label="Web API calls">
        <h3>Web API calls ({state.calls.length})</h3>
        {calls.length === 0 ? (
          <p class="empty">The app has not called the Web API yet.</p>
        ) : (
          <ol class="calls">
            {calls.map((call, i) => (
              <CallRow key={`${call.at}-${calls.length - i}`} call={call} />
            ))}
          </ol>
        )}
      </section>
    </aside>
  );
}
