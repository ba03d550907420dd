import { useState } from 'preact/hooks';
import { ErrorAlert } from '../components/error-alert.tsx';
import { useAction } from '../components/use-action.ts';
import { useSession } from '../session/session-context.ts';

interface UnsealFormProps {
  readonly threshold: number;
  readonly progress: number;
  /** After each key and after a reset: the page reads the seal status again. */
  readonly onChange: () => void;
}

/** One key share at a time, with how many of the threshold the server holds so far. */
export function UnsealForm({ threshold, progress: initialProgress, onChange }: UnsealFormProps) {
  const { api } = useSession();
  const [key, setKey] = useState('');
  const [progress, setProgress] = useState(initialProgress);
  const action = useAction();
  const send = (body: Record<string, unknown>) =>
    action.run(async () => {
      const answer = (await api.put('sys/unseal', body, { anonymous: true })) ?? {};
      setKey('');
      setProgress(Number(answer['progress'] ?? 0));
      if (answer['sealed'] === false || body['reset'] === true) onChange();
    });
  const submit = (event: Event) => {
    event.preventDefault();
    void send({ key: key.trim() });
  };
  return (
    <section aria-labelledby="unseal-heading" class="card">
      <h2 id="unseal-heading">Unseal</h2>
      <p>The server is sealed. Enter unseal key shares, one at a time, until {threshold} have been given.</p>
      <div class="progress">
        <label for="unseal-progress">Unseal progress</label>
        <progress id="unseal-progress" max={threshold} value={progress} />
        <span aria-live="polite" data-testid="unseal-progress">
          {progress} of {threshold} keys provided
        </span>
      </div>
      <form onSubmit={submit} class="form-grid">
        <div class="field wide">
          <label for="unseal-key">Unseal key share</label>
          <input id="unseal-key" type="password" autocomplete="off" spellcheck={false} required value={key} onInput={(event) => setKey(event.currentTarget.value)} />
        </div>
        <ErrorAlert errors={action.errors} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Unseal
          </button>
          <button type="button" class="secondary" disabled={action.busy || progress === 0} onClick={() => void send({ reset: true })}>
            Reset progress
          </button>
        </div>
      </form>
    </section>
  );
}
