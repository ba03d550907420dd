import { useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api/api-client.ts';
import { ErrorAlert } from './components/error-alert.tsx';
import { LoginRequired } from './pages/login-required.tsx';
import { resolveRoute } from './routes.tsx';
import { Link } from './router/link.tsx';
import { navigate, useRoute } from './router/router.ts';
import type { Session } from './session/session-context.ts';
import { SessionContext } from './session/session-context.ts';
import { tokenStore } from './session/token-store.ts';

const SECTIONS: ReadonlyArray<{ route: string; label: string; needsToken: boolean }> = [
  { route: 'status', label: 'Status', needsToken: false },
  { route: 'secrets', label: 'Secrets', needsToken: true },
  { route: 'policies', label: 'Policies', needsToken: true },
  { route: 'mounts', label: 'Mounts', needsToken: true },
  { route: 'audit', label: 'Audit', needsToken: true },
  { route: 'token', label: 'Token', needsToken: true },
];

/** The shell: skip link, header navigation, the page for the current route. */
export function App() {
  const [token, setToken] = useState(tokenStore.read);
  /** Why the session ended when the user did not end it. */
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const route = useRoute();
  const session = useMemo<Session>(() => {
    const logOut = () => {
      tokenStore.clear();
      setToken(undefined);
      navigate('login');
    };
    const expire = () => {
      setNotice('The token is no longer valid (revoked or expired): log in again.');
      logOut();
    };
    return {
      token,
      api: new ApiClient(() => tokenStore.read(), expire),
      logIn(next) {
        tokenStore.write(next);
        setNotice(undefined);
        setToken(next);
      },
      logOut,
    };
  }, [token]);
  const page = resolveRoute(route);
  return (
    <SessionContext.Provider value={session}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand" aria-hidden="true">
          Sealbox
        </span>
        <nav aria-label="Main">
          <ul>
            {SECTIONS.filter((section) => !section.needsToken || token !== undefined).map((section) => (
              <li key={section.route}>
                <Link to={section.route} current={page.section === section.route}>
                  {section.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="session">
          {token === undefined ? (
            <Link to="login" class="button secondary small" current={page.section === 'login'}>
              Log in
            </Link>
          ) : (
            <button type="button" class="secondary small" onClick={session.logOut}>
              Log out
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorAlert errors={notice === undefined ? [] : [notice]} />
        {page.needsToken && token === undefined ? <LoginRequired /> : <div key={route}>{page.render()}</div>}
      </main>
    </SessionContext.Provider>
  );
}
