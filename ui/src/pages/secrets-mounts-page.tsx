import type { Json } from '../api/api-client.ts';
import { dataOf } from '../api/api-client.ts';
import { errorMessages } from '../api/api-error.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { useLoader } from '../components/use-loader.ts';
import { isBrowsable, kvRoutes, kvVersion } from '../kv/kv-mount.ts';
import { text } from '../lib/format.ts';
import { Link } from '../router/link.tsx';
import { useSession } from '../session/session-context.ts';

/** The secrets engines the token can reach (sys/internal/ui/mounts filters by its policies). */
export function SecretsMountsPage() {
  const { api, token } = useSession();
  const mounts = useLoader(async () => {
    const secret = dataOf(await api.get('sys/internal/ui/mounts'))['secret'];
    return Object.entries((secret ?? {}) as Record<string, Json>).sort(([a], [b]) => a.localeCompare(b));
  }, [token]);
  return (
    <>
      <PageHeading title="Secrets" />
      <p class="muted">
        Secrets engines this token can reach. <Link to="mounts">Enable or disable engines</Link>.
      </p>
      {mounts.error === undefined ? null : <ErrorAlert errors={errorMessages(mounts.error)} />}
      {mounts.value === undefined ? null : (
        <table>
          <caption class="visually-hidden">Secrets engines</caption>
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {mounts.value.map(([path, entry]) => {
              const type = String(entry['type']);
              const name = path.replace(/\/$/, '');
              return (
                <tr key={path}>
                  <td>{isBrowsable(type) ? <Link to={kvRoutes.list(name)}>{path}</Link> : path}</td>
                  <td>{type === 'kv' ? `kv v${kvVersion(type, entry['options'])}` : type}</td>
                  <td>{text(entry['description'])}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
