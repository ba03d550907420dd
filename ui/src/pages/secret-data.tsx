import { useState } from 'preact/hooks';
import type { Json } from '../api/api-client.ts';

/** The key/value pairs of a secret, values hidden until asked for (screens get shared and recorded). */
export function SecretData({ data }: { data: Json }) {
  const [revealed, setRevealed] = useState(false);
  const entries = Object.entries(data);
  if (entries.length === 0) return <p>This secret has no keys.</p>;
  return (
    <>
      <button type="button" class="secondary small" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>
        {revealed ? 'Hide values' : 'Show values'}
      </button>
      <table class="secret-data">
        <caption class="visually-hidden">Secret data</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>
                <code data-testid={`value-${key}`}>{revealed ? (typeof value === 'string' ? value : JSON.stringify(value)) : '••••••••'}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
