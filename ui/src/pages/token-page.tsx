import type { Json } from '../api/api-client.ts';
import { dataOf } from '../api/api-client.ts';
import { errorMessages } from '../api/api-error.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { useLoader } from '../components/use-loader.ts';
import { formatTime, formatTtl, text, yesNo } from '../lib/format.ts';
import { useSession } from '../session/session-context.ts';

/** auth/token/lookup-self: who the UI acts as, with which policies, for how long. */
export function TokenPage() {
  const { api, token } = useSession();
  const lookup = useLoader(async () => dataOf(await api.get('auth/token/lookup-self')), [token]);
  const data: Json | undefined = lookup.value;
  const policies = Array.isArray(data?.['policies']) ? (data['policies'] as unknown[]).map(String) : [];
  return (
    <>
      <PageHeading title="Token" />
      {lookup.error === undefined ? null : <ErrorAlert errors={errorMessages(lookup.error)} />}
      {data === undefined ? (
        <p class="muted">{lookup.loading ? 'Loading…' : ''}</p>
      ) : (
        <section class="card" aria-labelledby="token-heading">
          <h2 id="token-heading">Current token</h2>
          <dl class="facts">
            <dt>Display name</dt>
            <dd>{text(data['display_name'])}</dd>
            <dt>Policies</dt>
            <dd>
              <ul class="tags" aria-label="Policies">
                {policies.map((policy) => (
                  <li key={policy}>{policy}</li>
                ))}
              </ul>
            </dd>
            <dt>TTL</dt>
            <dd data-testid="token-ttl">{formatTtl(Number(data['ttl'] ?? 0))}</dd>
            <dt>Expires</dt>
            <dd>{formatTime(data['expire_time'])}</dd>
            <dt>Created</dt>
            <dd>{typeof data['creation_time'] === 'number' ? new Date(data['creation_time'] * 1000).toLocaleString() : '—'}</dd>
            <dt>Renewable</dt>
            <dd>{yesNo(data['renewable'])}</dd>
            <dt>Orphan</dt>
            <dd>{yesNo(data['orphan'])}</dd>
            <dt>Path</dt>
            <dd>{text(data['path'])}</dd>
            <dt>Accessor</dt>
            <dd>
              <code>{text(data['accessor'])}</code>
            </dd>
          </dl>
        </section>
      )}
    </>
  );
}
