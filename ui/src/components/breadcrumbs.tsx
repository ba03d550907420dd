import { kvRoutes } from '../kv/kv-mount.ts';
import { Link } from '../router/link.tsx';

/** One step of a trail: a link, or the current page when it has no route. */
export interface Crumb {
  readonly label: string;
  readonly to?: string;
}

/** Where the page sits: each step a link back, the last one the page itself. */
export function Breadcrumbs({ trail }: { trail: readonly Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        {trail.map((crumb, index) => (
          <li key={index}>{crumb.to === undefined ? <span aria-current="page">{crumb.label}</span> : <Link to={crumb.to}>{crumb.label}</Link>}</li>
        ))}
      </ol>
    </nav>
  );
}

/** secrets › mount › folder › ... for a KV path; each folder links to its listing. */
export function secretTrail(mount: string, path: string): Crumb[] {
  const parts = path.split('/').filter((part) => part !== '');
  const folderPath = (count: number) => `${parts.slice(0, count).join('/')}/`;
  return [
    { label: 'secrets', to: 'secrets' },
    { label: mount, to: kvRoutes.list(mount) },
    ...parts.map((part, index) => (index === parts.length - 1 ? { label: part } : { label: part, to: kvRoutes.list(mount, folderPath(index + 1)) })),
  ];
}
