import type { Json } from '../api/api-client.ts';
import { TableHead } from '../components/table-head.tsx';
import { formatTime } from '../lib/format.ts';

interface SecretVersionsProps {
  readonly metadata: Json;
  readonly shown: number;
  readonly onShow: (version: number) => void;
}

/** Every version KV v2 keeps, newest first, with whether it is current, deleted or destroyed. */
export function SecretVersions({ metadata, shown, onShow }: SecretVersionsProps) {
  const versions = Object.entries((metadata['versions'] ?? {}) as Record<string, Json>)
    .map(([number, info]) => ({ number: Number(number), info }))
    .sort((a, b) => b.number - a.number);
  const current = Number(metadata['current_version'] ?? 0);
  return (
    <section class="card" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      <table>
        <TableHead caption="Versions" columns={['Version', 'Created', 'State']} />
        <tbody>
          {versions.map(({ number, info }) => (
            <tr key={number} aria-current={number === shown ? 'true' : undefined} data-version={number}>
              <td>{number}</td>
              <td>{formatTime(info['created_time'])}</td>
              <td>{versionState(info, number === current)}</td>
              <td>
                <button type="button" class="secondary small" disabled={number === shown} onClick={() => onShow(number)}>
                  View version {number}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function versionState(info: Json, current: boolean): string {
  const states = [current ? 'current' : ''];
  if (info['destroyed'] === true) states.push('destroyed');
  else if (typeof info['deletion_time'] === 'string' && info['deletion_time'] !== '') states.push('deleted');
  else states.push('active');
  return states.filter((state) => state !== '').join(', ');
}
