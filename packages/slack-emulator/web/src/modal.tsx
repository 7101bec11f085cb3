import { useEffect, useRef, useState } from 'preact/hooks';
import { PageApiError, pageApi } from './api';
import { Blocks } from './blocks';
import { plainText } from './mrkdwn';
import { SurfaceContext } from './surface';
import type { PageState, TextObject } from './types';
import { clientSideErrors, useInteractiveSurface } from './view-state';

type StoredView = PageState['views'][number];

/**
 * The modal a person has on top of their stack (opened by the app with `views.open`/`views.push`).
 * Submit sends a signed `view_submission` through the emulator; what the app answers decides
 * what happens (close, field errors, update, push). Close just closes, as Slack's × does.
 */
export function Modal({
  stored,
  userId,
  interactive,
  onProblem,
}: {
  stored: StoredView;
  userId: string;
  interactive: boolean;
  onProblem: (text: string) => void;
}) {
  const view = stored.view as StoredView['view'] & {
    title?: TextObject;
    submit?: TextObject | null;
    close?: TextObject | null;
    blocks?: unknown[];
  };
  const blocks = view.blocks ?? [];
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [trouble, setTrouble] = useState<{ message: string; detail: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const dialogRef = useRef<HTMLDivElement>(null);
  const title = plainText(view.title) || 'Modal';

  useEffect(() => {
    setErrors({});
    setTrouble(undefined);
    dialogRef.current?.querySelector<HTMLElement>('input, textarea, select, button')?.focus();
  }, [view.id, view.hash]);

  const { surface, values } = useInteractiveSurface({
    kind: 'modal',
    key: `${view.id}:${view.hash}`,
    blocks,
    userId,
    where: { viewId: view.id },
    interactive: interactive && !busy,
    errors,
    onProblem,
    rememberAs: view.id,
  });

  const close = () => pageApi.closeView(userId, view.id).catch((error: Error) => onProblem(error.message));

  const submit = async (event: Event) => {
    event.preventDefault();
    const local = clientSideErrors(blocks, values);
    setErrors(local);
    setTrouble(undefined);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const result = await pageApi.submit(userId, view.id, values);
      if (result.outcome.outcome === 'errors') setErrors(result.outcome.errors);
      if (result.outcome.outcome === 'failed') {
        setTrouble({ message: result.outcome.message, detail: result.outcome.detail });
      }
    } catch (error) {
      setTrouble({
        message: 'The emulator refused the submission.',
        detail: error instanceof PageApiError ? error.message : String(error),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="overlay">
      <div
        class="dialog modal"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={dialogRef}
        onKeyDown={(e) => e.key === 'Escape' && close()}
      >
        <form onSubmit={submit} noValidate>
          <header class="modal-header">
            <h2>{title}</h2>
            <button type="button" class="icon" aria-label={`Close ${title}`} onClick={close}>
              ×
            </button>
          </header>
          <div class="modal-body">
            {trouble && (
              <div class="modal-trouble" role="alert">
                <strong>{trouble.message}</strong>
                <small>{trouble.detail}</small>
              </div>
            )}
            <SurfaceContext.Provider value={surface}>
              <Blocks blocks={blocks} />
            </SurfaceContext.Provider>
          </div>
          <footer class="modal-footer">
            <button type="button" onClick={close}>
              {plainText(view.close ?? undefined) || 'Cancel'}
            </button>
            {view.submit && (
              <button type="submit" class="primary" disabled={busy || !interactive}>
                {plainText(view.submit)}
              </button>
            )}
          </footer>
        </form>
      </div>
    </div>
  );
}
