import { useState } from 'preact/hooks';
import { ErrorAlert } from '../components/error-alert.tsx';
import { useAction } from '../components/use-action.ts';
import { useSession } from '../session/session-context.ts';

/** What sys/init answered, with the numbers asked for: shown once, then gone from the page. */
export interface InitResult {
  readonly keys: readonly string[];
  readonly keysBase64: readonly string[];
  readonly rootToken: string;
  readonly shares: number;
  readonly threshold: number;
}

export function InitForm({ onInitialized }: { onInitialized: (result: InitResult) => void }) {
  const { api } = useSession();
  const [shares, setShares] = useState('5');
  const [threshold, setThreshold] = useState('3');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const body = { secret_shares: Number(shares), secret_threshold: Number(threshold) };
      const answer = (await api.put('sys/init', body, { anonymous: true })) ?? {};
      onInitialized({
        keys: (answer['keys'] as string[] | undefined) ?? [],
        keysBase64: (answer['keys_base64'] as string[] | undefined) ?? [],
        rootToken: String(answer['root_token'] ?? ''),
        shares: body.secret_shares,
        threshold: body.secret_threshold,
      });
    });
  };
  return (
    <section aria-labelledby="init-heading" class="card">
      <h2 id="init-heading">Initialize</h2>
      <p>The server has no keys yet. Initializing makes the unseal key shares and the root token; they are shown once.</p>
      <form onSubmit={submit} class="form-grid">
        <div class="field">
          <label for="init-shares">Key shares</label>
          <input id="init-shares" type="number" min={1} max={255} required value={shares} onInput={(event) => setShares(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="init-threshold">Key threshold</label>
          <input id="init-threshold" type="number" min={1} max={255} required value={threshold} onInput={(event) => setThreshold(event.currentTarget.value)} />
        </div>
        <ErrorAlert errors={action.errors} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Initialize
          </button>
        </div>
      </form>
    </section>
  );
}
