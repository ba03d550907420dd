import { useState } from 'preact/hooks';
import type { Json } from '../api/api-client.ts';
import { dataOf } from '../api/api-client.ts';
import { ApiError, errorMessages } from '../api/api-error.ts';
import { Breadcrumbs, secretTrail } from '../components/breadcrumbs.tsx';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { useAction } from '../components/use-action.ts';
import { useLoader } from '../components/use-loader.ts';
import type { KvMount } from '../kv/kv-mount.ts';
import { kvPaths, kvRoutes, loadKvMount } from '../kv/kv-mount.ts';
import { formatTime } from '../lib/format.ts';
import { Link } from '../router/link.tsx';
import { navigate } from '../router/router.ts';
import { useSession } from '../session/session-context.ts';
import { SecretData } from './secret-data.tsx';
import { SecretMetadataForm } from './secret-metadata-form.tsx';
import { SecretVersions } from './secret-versions.tsx';

interface LoadedSecret {
  readonly kv: KvMount;
  /** The secret's data; undefined when the version read was deleted or destroyed. */
  readonly data: Json | undefined;
  /** KV v2: the read version's created_time, deletion_time, destroyed, version. */
  readonly info: Json | undefined;
  /** KV v2: the metadata endpoint's answer (versions, current_version, settings). */
  readonly metadata: Json | undefined;
}

/** One secret: its data, and on KV v2 its versions, their deletion and destruction, and its metadata. */
export function SecretPage({ mount, path }: { mount: string; path: string }) {
  const { api, token } = useSession();
  const [version, setVersion] = useState<number | undefined>(undefined);
  const action = useAction();
  const secret = useLoader(() => loadSecret(api, mount, path, version), [mount, path, version, token]);
  const value = secret.value;
  const shownVersion = Number(value?.info?.['version'] ?? 0);
  const versionAction = (operation: 'delete' | 'undelete' | 'destroy', versions: number[]) =>
    void action.run(async () => {
      await api.post(kvPaths[operation](value!.kv, path), { versions });
      secret.reload();
    });
  const removeAll = () =>
    void action.run(async () => {
      await api.delete(value!.kv.version === 2 ? kvPaths.metadata(value!.kv, path) : kvPaths.data(value!.kv, path));
      const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
      navigate(kvRoutes.list(mount, folder));
    });
  return (
    <>
      <Breadcrumbs trail={secretTrail(mount, path)} />
      <PageHeading title={path} />
      {secret.error === undefined ? null : <ErrorAlert errors={errorMessages(secret.error)} />}
      {value === undefined ? null : (
        <>
          <div class="actions toolbar">
            <Link to={kvRoutes.edit(mount, path)} class="button primary">
              {value.kv.version === 2 ? 'Create new version' : 'Edit secret'}
            </Link>
            {value.kv.version === 2 && shownVersion > 0 ? (
              value.data === undefined ? (
                value.info?.['destroyed'] === true ? null : (
                  <button type="button" class="secondary" onClick={() => versionAction('undelete', [shownVersion])} disabled={action.busy}>
                    Undelete version {shownVersion}
                  </button>
                )
              ) : (
                <ConfirmButton label={`Delete version ${shownVersion}`} question={`Delete version ${shownVersion} of ${path}? It can be undeleted later.`} onConfirm={() => versionAction('delete', [shownVersion])} />
              )
            ) : null}
            {value.kv.version === 2 && shownVersion > 0 && value.info?.['destroyed'] !== true ? (
              <ConfirmButton
                label={`Destroy version ${shownVersion}`}
                question={`Destroy version ${shownVersion} of ${path} for good? Its data cannot be recovered.`}
                danger
                onConfirm={() => versionAction('destroy', [shownVersion])}
              />
            ) : null}
            <ConfirmButton
              label={value.kv.version === 2 ? 'Delete secret and all versions' : 'Delete secret'}
              question={value.kv.version === 2 ? `Delete ${path} with every version and its metadata? This cannot be undone.` : `Delete ${path}? This cannot be undone.`}
              danger
              onConfirm={removeAll}
            />
          </div>
          <ErrorAlert errors={action.errors} />
          <section class="card" aria-labelledby="data-heading">
            <h2 id="data-heading">{value.kv.version === 2 ? `Data (version ${shownVersion})` : 'Data'}</h2>
            {value.data === undefined ? (
              <p class="notice" data-testid="version-state">
                {value.info?.['destroyed'] === true
                  ? `Version ${shownVersion} was destroyed: its data is gone.`
                  : `Version ${shownVersion} was deleted at ${formatTime(value.info?.['deletion_time'])}. Undelete it to read it again.`}
              </p>
            ) : (
              <SecretData data={value.data} />
            )}
          </section>
          {value.metadata === undefined ? null : (
            <>
              <SecretVersions metadata={value.metadata} shown={shownVersion} onShow={setVersion} />
              <SecretMetadataForm kv={value.kv} path={path} metadata={value.metadata} onSaved={secret.reload} />
            </>
          )}
        </>
      )}
    </>
  );
}

async function loadSecret(api: ReturnType<typeof useSession>['api'], mount: string, path: string, version: number | undefined): Promise<LoadedSecret> {
  const kv = await loadKvMount(api, mount);
  if (kv.version === 1) return { kv, data: dataOf(await api.get(kvPaths.data(kv, path))), info: undefined, metadata: undefined };
  const metadata = dataOf(await api.get(kvPaths.metadata(kv, path)));
  const query = version === undefined ? '' : `?version=${version}`;
  try {
    const body = dataOf(await api.get(`${kvPaths.data(kv, path)}${query}`));
    return { kv, data: (body['data'] as Json | null) ?? undefined, info: body['metadata'] as Json | undefined, metadata };
  } catch (error) {
    // A deleted or destroyed version answers 404 with its metadata and no data, as in Vault.
    const info = error instanceof ApiError && error.status === 404 ? ((error.body as { data?: { metadata?: Json } } | undefined)?.data?.metadata ?? undefined) : undefined;
    if (info === undefined) throw error;
    return { kv, data: undefined, info, metadata };
  }
}
