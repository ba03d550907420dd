import { useState } from 'preact/hooks';
import type { Json } from '../api/api-client.ts';
import { dataOf } from '../api/api-client.ts';
import { ApiError, errorMessages } from '../api/api-error.ts';
import { Breadcrumbs, secretTrail } from '../components/breadcrumbs.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import type { SecretDraft } from '../components/secret-editor.tsx';
import { SecretEditor, draftOf, draftToData } from '../components/secret-editor.tsx';
import { useAction } from '../components/use-action.ts';
import { useLoader } from '../components/use-loader.ts';
import type { KvMount } from '../kv/kv-mount.ts';
import { kvPaths, kvRoutes, loadKvMount } from '../kv/kv-mount.ts';
import { Link } from '../router/link.tsx';
import { navigate } from '../router/router.ts';
import { useSession } from '../session/session-context.ts';

interface SecretEditPageProps {
  readonly mount: string;
  /** The secret to edit, or for a new one the folder it starts in. */
  readonly path: string;
  readonly creating: boolean;
}

/** Writes a secret: a new one, a new KV v2 version, or KV v1's replacement of the whole secret. */
export function SecretEditPage({ mount, path, creating }: SecretEditPageProps) {
  const { api, token } = useSession();
  const loaded = useLoader(async () => {
    const kv = await loadKvMount(api, mount);
    if (creating) return { kv, data: {}, version: 0 };
    return { kv, ...(await currentData(api, kv, path)) };
  }, [mount, path, creating, token]);
  return (
    <>
      <Breadcrumbs trail={secretTrail(mount, path)} />
      <PageHeading title={creating ? 'Create secret' : `Edit ${path}`} />
      {loaded.error === undefined ? null : <ErrorAlert errors={errorMessages(loaded.error)} />}
      {loaded.value === undefined ? null : <EditForm key={`${mount}:${path}`} mount={mount} path={path} creating={creating} kv={loaded.value.kv} data={loaded.value.data} version={loaded.value.version} />}
    </>
  );
}

interface EditFormProps extends SecretEditPageProps {
  readonly kv: KvMount;
  readonly data: Json;
  readonly version: number;
}

function EditForm({ mount, path, creating, kv, data, version }: EditFormProps) {
  const { api } = useSession();
  const [secretPath, setSecretPath] = useState(creating ? path : path);
  const [draft, setDraft] = useState<SecretDraft>(() => draftOf(data));
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const target = secretPath.trim().replace(/^\/+/, '');
    const problems: string[] = [];
    if (target === '' || target.endsWith('/')) problems.push('the path must name a secret, not a folder');
    const value = draftToData(draft);
    if ('errors' in value) problems.push(...value.errors);
    if (problems.length > 0 || 'errors' in value) return action.setErrors(problems);
    void action.run(async () => {
      // KV v2: a write based on a version says so (cas), so that a concurrent edit is refused, not lost.
      const body = kv.version === 2 ? { data: value.value, ...(creating ? {} : { options: { cas: version } }) } : value.value;
      await api.post(kvPaths.data(kv, target), body);
      navigate(kvRoutes.show(mount, target));
    });
  };
  return (
    <form onSubmit={submit} class="card">
      <div class="field">
        <label for="secret-path">Path</label>
        {creating ? (
          <input id="secret-path" type="text" required autocomplete="off" spellcheck={false} value={secretPath} onInput={(event) => setSecretPath(event.currentTarget.value)} />
        ) : (
          <input id="secret-path" type="text" readOnly value={secretPath} />
        )}
      </div>
      <SecretEditor draft={draft} onChange={setDraft} />
      <ErrorAlert errors={action.errors} />
      <div class="actions">
        <button type="submit" class="primary" disabled={action.busy}>
          Save
        </button>
        <Link to={creating ? kvRoutes.list(mount, path) : kvRoutes.show(mount, path)} class="button secondary">
          Cancel
        </Link>
      </div>
    </form>
  );
}

async function currentData(api: ReturnType<typeof useSession>['api'], kv: KvMount, path: string): Promise<{ data: Json; version: number }> {
  try {
    const body = dataOf(await api.get(kvPaths.data(kv, path)));
    if (kv.version === 1) return { data: body, version: 0 };
    return { data: (body['data'] as Json | null) ?? {}, version: Number((body['metadata'] as Json | undefined)?.['version'] ?? 0) };
  } catch (error) {
    // The latest version deleted: the new version starts empty, based on that version number.
    const metadata = error instanceof ApiError && error.status === 404 ? (error.body as { data?: { metadata?: Json } } | undefined)?.data?.metadata : undefined;
    if (metadata === undefined) throw error;
    return { data: {}, version: Number(metadata['version'] ?? 0) };
  }
}
