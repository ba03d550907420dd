import { useState } from 'preact/hooks';
import { dataOf } from '../api/api-client.ts';
import { errorMessages } from '../api/api-error.ts';
import { Breadcrumbs } from '../components/breadcrumbs.tsx';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { LineEditor } from '../components/line-editor.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { SavedNote } from '../components/saved-note.tsx';
import { useAction } from '../components/use-action.ts';
import { useLoader } from '../components/use-loader.ts';
import { errorPosition } from '../lib/error-position.ts';
import { navigate } from '../router/router.ts';
import { useSession } from '../session/session-context.ts';

/** Vault's own policies: default can be edited but not deleted, root is neither. */
const UNDELETABLE = new Set(['default', 'root']);

const NEW_POLICY = `# Read the secrets under secret/app/
path "secret/data/app/*" {
  capabilities = ["read", "list"]
}
`;

/** One policy in HCL (or JSON): read, write with the server's parse errors shown at their line, delete. */
export function PolicyPage({ name }: { name: string | undefined }) {
  const { api, token } = useSession();
  const policy = useLoader(async () => (name === undefined ? NEW_POLICY : String(dataOf(await api.get(`sys/policies/acl/${encodeURIComponent(name)}`))['policy'] ?? '')), [name, token]);
  return (
    <>
      <Breadcrumbs trail={[{ label: 'policies', to: 'policies' }, { label: name ?? 'new' }]} />
      <PageHeading title={name === undefined ? 'Create policy' : `Policy ${name}`} />
      {policy.error === undefined ? null : <ErrorAlert errors={errorMessages(policy.error)} />}
      {policy.value === undefined ? null : <PolicyForm key={name ?? ''} name={name} text={policy.value} />}
    </>
  );
}

function PolicyForm({ name, text }: { name: string | undefined; text: string }) {
  const { api } = useSession();
  const [policyName, setPolicyName] = useState(name ?? '');
  const [body, setBody] = useState(text);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const serverError = action.errors[0];
  const position = serverError === undefined ? undefined : errorPosition(serverError, body);
  const submit = (event: Event) => {
    event.preventDefault();
    setSaved(false);
    const target = policyName.trim();
    void action.run(async () => {
      await api.put(`sys/policies/acl/${encodeURIComponent(target)}`, { policy: body });
      setSaved(true);
      if (name === undefined) navigate(`policies/${encodeURIComponent(target)}`, { replace: true });
    });
  };
  const remove = () =>
    void action.run(async () => {
      await api.delete(`sys/policies/acl/${encodeURIComponent(name!)}`);
      navigate('policies');
    });
  return (
    <form onSubmit={submit} class="card">
      <div class="field">
        <label for="policy-name">Name</label>
        {name === undefined ? (
          <input id="policy-name" type="text" required autocomplete="off" spellcheck={false} value={policyName} onInput={(event) => setPolicyName(event.currentTarget.value)} />
        ) : (
          <input id="policy-name" type="text" readOnly value={policyName} />
        )}
      </div>
      <div class="field">
        <label for="policy-text">Policy (HCL or JSON)</label>
        <LineEditor
          id="policy-text"
          value={body}
          rows={18}
          onInput={(value) => {
            setBody(value);
            setSaved(false);
          }}
          errorLine={position?.line}
          errorMessage={position === undefined ? undefined : serverError}
          selectErrorLine
        />
      </div>
      <ErrorAlert errors={action.errors} />
      <div class="actions">
        <button type="submit" class="primary" disabled={action.busy || name === 'root'}>
          Save policy
        </button>
        <SavedNote shown={saved} />
        {name !== undefined && !UNDELETABLE.has(name) ? <ConfirmButton label="Delete policy" question={`Delete the policy ${name}? Tokens that carry it lose what it granted.`} danger onConfirm={remove} /> : null}
      </div>
    </form>
  );
}
