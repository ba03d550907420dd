import { PageHeading } from '../components/page-heading.tsx';
import { Link } from '../router/link.tsx';

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found" />
      <p>
        There is no such page in the UI. Go to the <Link to="status">status page</Link>.
      </p>
    </>
  );
}
