import { AuditPage } from './pages/audit-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { MountsPage } from './pages/mounts-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { PoliciesPage } from './pages/policies-page.tsx';
import { PolicyPage } from './pages/policy-page.tsx';
import { SecretEditPage } from './pages/secret-edit-page.tsx';
import { SecretListPage } from './pages/secret-list-page.tsx';
import { SecretPage } from './pages/secret-page.tsx';
import { SecretsMountsPage } from './pages/secrets-mounts-page.tsx';
import { StatusPage } from './pages/status-page.tsx';
import { TokenPage } from './pages/token-page.tsx';

export interface Resolved {
  /** The top-level section, for the navigation's aria-current. */
  readonly section: string;
  readonly needsToken: boolean;
  readonly render: () => preact.JSX.Element;
}

/** Route strings (below /ui/) to pages. Segments are percent-encoded; a mount is one segment. */
export function resolveRoute(route: string): Resolved {
  const segments = route.split('/');
  const [section = '', second, third] = segments;
  const rest = () => decodePath(segments.slice(3).join('/'));
  switch (section) {
    case '':
    case 'status':
      return { section: 'status', needsToken: false, render: () => <StatusPage /> };
    case 'login':
      return { section: 'login', needsToken: false, render: () => <LoginPage /> };
    case 'token':
      return { section: 'token', needsToken: true, render: () => <TokenPage /> };
    case 'secrets': {
      if (second === undefined || second === '') return { section, needsToken: true, render: () => <SecretsMountsPage /> };
      const mount = decodeURIComponent(second);
      if (third === 'show') return { section, needsToken: true, render: () => <SecretPage mount={mount} path={rest()} /> };
      if (third === 'edit') return { section, needsToken: true, render: () => <SecretEditPage mount={mount} path={rest()} creating={false} /> };
      if (third === 'create') return { section, needsToken: true, render: () => <SecretEditPage mount={mount} path={rest()} creating /> };
      return { section, needsToken: true, render: () => <SecretListPage mount={mount} folder={third === 'list' ? rest() : ''} /> };
    }
    case 'policies':
      if (second === undefined || second === '') return { section, needsToken: true, render: () => <PoliciesPage /> };
      return { section, needsToken: true, render: () => <PolicyPage name={second === 'new' ? undefined : decodeURIComponent(second)} /> };
    case 'audit':
      return { section, needsToken: true, render: () => <AuditPage /> };
    case 'mounts':
      return { section, needsToken: true, render: () => <MountsPage /> };
    default:
      return { section: '', needsToken: false, render: () => <NotFoundPage /> };
  }
}

function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}
