import { keysOf } from '../api/api-client.ts';
import { ApiError, errorMessages } from '../api/api-error.ts';
import { Breadcrumbs, secretTrail } from '../components/breadcrumbs.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { useLoader } from '../components/use-loader.ts';
import { kvPaths, kvRoutes, loadKvMount } from '../kv/kv-mount.ts';
import { Link } from '../router/link.tsx';
import { useSession } from '../session/session-context.ts';

/** One folder of a KV mount: sub-folders and secrets, as LIST returns them. */
export function SecretListPage({ mount, folder }: { mount: string; folder: string }) {
  const { api, token } = useSession();
  const listing = useLoader(async () => {
    const kv = await loadKvMount(api, mount);
    try {
      return { kv, keys: keysOf(await api.list(kvPaths.list(kv, folder))) };
    } catch (error) {
      // LIST answers 404 for a folder with nothing in it.
      if (error instanceof ApiError && error.status === 404 && error.errors.length === 0) return { kv, keys: [] };
      throw error;
    }
  }, [mount, folder, token]);
  return (
    <>
      <Breadcrumbs trail={secretTrail(mount, folder)} />
      <PageHeading title={`${mount}/${folder}`} />
      {listing.value === undefined ? null : (
        <p class="muted">
          {listing.value.kv.type === 'kv' ? `KV version ${listing.value.kv.version}` : listing.value.kv.type}
        </p>
      )}
      <p>
        <Link to={kvRoutes.create(mount, folder)} class="button primary">
          Create secret
        </Link>
      </p>
      {listing.error === undefined ? null : <ErrorAlert errors={errorMessages(listing.error)} />}
      {listing.value === undefined ? null : listing.value.keys.length === 0 ? (
        <p>No secrets here yet.</p>
      ) : (
        <ul class="listing" aria-label="Secrets and folders">
          {listing.value.keys.map((key) => (
            <li key={key} class={key.endsWith('/') ? 'folder' : 'secret'}>
              <Link to={key.endsWith('/') ? kvRoutes.list(mount, `${folder}${key}`) : kvRoutes.show(mount, `${folder}${key}`)}>{key}</Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
