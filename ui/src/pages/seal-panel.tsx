import { ConfirmButton } from '../components/confirm-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { useAction } from '../components/use-action.ts';
import { useSession } from '../session/session-context.ts';
import { Link } from '../router/link.tsx';

/** Sealing needs a token with sudo on sys/seal; afterwards the keys must unseal it again. */
export function SealPanel({ onSealed }: { onSealed: () => void }) {
  const { api, token } = useSession();
  const action = useAction();
  const seal = () =>
    void action.run(async () => {
      await api.put('sys/seal', {});
      onSealed();
    });
  return (
    <section aria-labelledby="seal-heading" class="card">
      <h2 id="seal-heading">Seal</h2>
      {token === undefined ? (
        <p>
          <Link to="login">Log in</Link> with a token that has sudo on sys/seal to seal the server.
        </p>
      ) : (
        <>
          <p>Sealing drops the keys from memory: every request fails until the server is unsealed again with the key shares.</p>
          <ErrorAlert errors={action.errors} />
          <ConfirmButton label="Seal" question="Seal the server now? It answers nothing until it is unsealed with the key shares." danger disabled={action.busy} onConfirm={seal} />
        </>
      )}
    </section>
  );
}
