import { useState } from 'preact/hooks';
import type { ApiClient, Json } from '../api/api-client.ts';
import { dataOf, encodePath } from '../api/api-client.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { useAction } from '../components/use-action.ts';
import { useLoader } from '../components/use-loader.ts';
import { navigate } from '../router/router.ts';
import { useSession } from '../session/session-context.ts';

type Method = 'token' | 'userpass' | 'approle';

const METHODS: ReadonlyArray<{ method: Method; label: string }> = [
  { method: 'token', label: 'Token' },
  { method: 'userpass', label: 'Username' },
  { method: 'approle', label: 'AppRole' },
];

interface Credentials {
  token: string;
  mount: string;
  username: string;
  password: string;
  roleId: string;
  secretId: string;
}

/** Token, userpass or AppRole; the mount path can be typed, since listing auth mounts may need a token. */
export function LoginPage() {
  const { api, logIn } = useSession();
  const [method, setMethod] = useState<Method>('token');
  const [form, setForm] = useState<Credentials>({ token: '', mount: '', username: '', password: '', roleId: '', secretId: '' });
  const action = useAction();
  const mounts = useLoader(() => advertisedMounts(api), []);
  const set = (change: Partial<Credentials>) => setForm((previous) => ({ ...previous, ...change }));
  const mount = form.mount.trim() === '' ? method : form.mount.trim().replace(/^\/+|\/+$/g, '');
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const token = await obtainToken(api, method, mount, form);
      // A token proves nothing until the server has looked it up: a wrong one fails here, not later.
      await api.get('auth/token/lookup-self', { token });
      logIn(token);
      navigate('token');
    });
  };
  const suggestions = (mounts.value ?? []).filter((entry) => entry.type === method).map((entry) => entry.path);
  return (
    <>
      <PageHeading title="Log in" />
      <form onSubmit={submit} class="card login" aria-describedby="login-help">
        <fieldset class="segmented">
          <legend>Method</legend>
          {METHODS.map((entry) => (
            <label key={entry.method}>
              <input type="radio" name="method" value={entry.method} checked={method === entry.method} onChange={() => setMethod(entry.method)} /> {entry.label}
            </label>
          ))}
        </fieldset>
        <p id="login-help" class="muted">
          {method === 'token' ? 'A Vault token, for example the root token from init.' : `Credentials for the ${method} auth method mounted at the path below.`}
        </p>
        {method === 'token' ? (
          <div class="field">
            <label for="login-token">Token</label>
            <input id="login-token" type="password" autocomplete="off" spellcheck={false} required value={form.token} onInput={(event) => set({ token: event.currentTarget.value })} />
          </div>
        ) : (
          <div class="field">
            <label for="login-mount">Mount path</label>
            <input
              id="login-mount"
              type="text"
              placeholder={method}
              list="login-mounts"
              autocomplete="off"
              value={form.mount}
              onInput={(event) => set({ mount: event.currentTarget.value })}
            />
            <datalist id="login-mounts">
              {suggestions.map((path) => (
                <option key={path} value={path} />
              ))}
            </datalist>
          </div>
        )}
        {method === 'userpass' ? (
          <>
            <div class="field">
              <label for="login-username">Username</label>
              <input id="login-username" type="text" autocomplete="username" required value={form.username} onInput={(event) => set({ username: event.currentTarget.value })} />
            </div>
            <div class="field">
              <label for="login-password">Password</label>
              <input id="login-password" type="password" autocomplete="current-password" required value={form.password} onInput={(event) => set({ password: event.currentTarget.value })} />
            </div>
          </>
        ) : null}
        {method === 'approle' ? (
          <>
            <div class="field">
              <label for="login-role-id">Role ID</label>
              <input id="login-role-id" type="text" autocomplete="off" spellcheck={false} required value={form.roleId} onInput={(event) => set({ roleId: event.currentTarget.value })} />
            </div>
            <div class="field">
              <label for="login-secret-id">Secret ID</label>
              <input id="login-secret-id" type="password" autocomplete="off" spellcheck={false} value={form.secretId} onInput={(event) => set({ secretId: event.currentTarget.value })} />
            </div>
          </>
        ) : null}
        <ErrorAlert errors={action.errors} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Log in
          </button>
        </div>
      </form>
    </>
  );
}

async function obtainToken(api: ApiClient, method: Method, mount: string, form: Credentials): Promise<string> {
  if (method === 'token') return form.token.trim();
  const answer =
    method === 'userpass'
      ? await api.post(`auth/${encodePath(mount)}/login/${encodeURIComponent(form.username)}`, { password: form.password }, { anonymous: true })
      : await api.post(`auth/${encodePath(mount)}/login`, { role_id: form.roleId.trim(), secret_id: form.secretId.trim() }, { anonymous: true });
  const token = (answer?.['auth'] as Json | undefined)?.['client_token'];
  if (typeof token !== 'string' || token === '') throw new Error('the server answered the login without a token');
  return token;
}

/** Auth mounts the server lists without a token (listing_visibility = "unauth"), as suggestions. */
async function advertisedMounts(api: ApiClient): Promise<Array<{ path: string; type: string }>> {
  try {
    const auth = dataOf(await api.get('sys/internal/ui/mounts', { anonymous: true }))['auth'];
    if (typeof auth !== 'object' || auth === null) return [];
    return Object.entries(auth as Record<string, Json>).map(([path, entry]) => ({ path: path.replace(/\/$/, ''), type: String(entry['type']) }));
  } catch {
    return [];
  }
}
