import { PageHeading } from '../components/page-heading.tsx';
import { Link } from '../router/link.tsx';

/** What a page that needs a token shows without one. */
export function LoginRequired() {
  return (
    <>
      <PageHeading title="Log in required" />
      <p>
        This page needs a token. <Link to="login">Log in</Link> first.
      </p>
    </>
  );
}
