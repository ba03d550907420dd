import { kvRoutes } from '../kv/kv-mount.ts';
import { Link } from '../router/link.tsx';

/** secrets › mount › folder › ... — each folder a link back to its listing. */
export function Breadcrumbs({ mount, path }: { mount: string; path: string }) {
  const parts = path.split('/').filter((part) => part !== '');
  const folderPath = (count: number) => `${parts.slice(0, count).join('/')}/`;
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        <li>
          <Link to="secrets">secrets</Link>
        </li>
        <li>
          <Link to={kvRoutes.list(mount)}>{mount}</Link>
        </li>
        {parts.map((part, index) => (
          <li key={index}>{index === parts.length - 1 ? <span aria-current="page">{part}</span> : <Link to={kvRoutes.list(mount, folderPath(index + 1))}>{part}</Link>}</li>
        ))}
      </ol>
    </nav>
  );
}
