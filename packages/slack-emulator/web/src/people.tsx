import { useMemo, useState } from 'preact/hooks';
import { PageApiError, pageApi } from './api';
import type { PagePerson } from './types';

/** Every IANA zone the browser knows, for the timezone field's suggestions. */
function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['UTC', 'Europe/London', 'America/New_York'];
}

/** Who the page acts as: every click and command is sent as this person. */
export function PersonSwitcher({
  people,
  userId,
  onChange,
}: {
  people: PagePerson[];
  userId: string;
  onChange: (id: string) => void;
}) {
  return (
    <label class="switcher">
      Viewing as
      <select value={userId} onChange={(e) => onChange(e.currentTarget.value)}>
        {people
          .filter((p) => !p.isBot)
          .map((p) => (
            <option key={p.id} value={p.id}>
              {p.realName} (@{p.name}, {p.id}){p.isOwner ? ' · owner' : p.isAdmin ? ' · admin' : ''}
            </option>
          ))}
      </select>
    </label>
  );
}

/** Adds a person to the workspace with a name and a timezone (what `users.info` then reports). */
export function AddPerson({ onAdded, onClose }: { onAdded: (id: string) => void; onClose: () => void }) {
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState('');
  const [realName, setRealName] = useState('');
  const [tz, setTz] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const added = await pageApi.addPerson({ name, tz, ...(realName.trim() ? { realName } : {}) });
      onAdded(added.id);
    } catch (e) {
      setError(e instanceof PageApiError ? e.message : String(e));
    }
  };
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-label="Add a person">
        <form onSubmit={submit}>
          <header class="modal-header">
            <h2>Add a person</h2>
          </header>
          <div class="modal-body">
            {error && (
              <p class="field-error" role="alert">
                {error}
              </p>
            )}
            <label class="field">
              Username
              <input
                required
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
                placeholder="e.g. mary"
              />
            </label>
            <label class="field">
              Full name
              <input
                value={realName}
                onInput={(e) => setRealName(e.currentTarget.value)}
                placeholder="e.g. Mary Jackson"
              />
            </label>
            <label class="field">
              Timezone
              <input required list="timezones" value={tz} onInput={(e) => setTz(e.currentTarget.value)} />
              <datalist id="timezones">
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </label>
          </div>
          <footer class="modal-footer">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="primary">
              Add person
            </button>
          </footer>
        </form>
      </div>
    </div>
  );
}
