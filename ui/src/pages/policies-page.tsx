import { keysOf } from '../api/api-client.ts';
import { errorMessages } from '../api/api-error.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { useLoader } from '../components/use-loader.ts';
import { Link } from '../router/link.tsx';
import { useSession } from '../session/session-context.ts';

/** The ACL policies (LIST sys/policies/acl). */
export function PoliciesPage() {
  const { api, token } = useSession();
  const policies = useLoader(async () => keysOf(await api.list('sys/policies/acl')).sort(), [token]);
  return (
    <>
      <PageHeading title="ACL policies" />
      <p>
        <Link to="policies/new" class="button primary">
          Create policy
        </Link>
      </p>
      {policies.error === undefined ? null : <ErrorAlert errors={errorMessages(policies.error)} />}
      {policies.value === undefined ? null : (
        <ul class="listing" aria-label="Policies">
          {policies.value.map((name) => (
            <li key={name} class="policy">
              <Link to={`policies/${encodeURIComponent(name)}`}>{name}</Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
