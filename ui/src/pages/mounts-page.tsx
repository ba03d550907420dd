import { useState } from 'preact/hooks';
import type { Json } from '../api/api-client.ts';
import { dataOf, encodePath } from '../api/api-client.ts';
import { errorMessages } from '../api/api-error.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { TableHead } from '../components/table-head.tsx';
import { useAction } from '../components/use-action.ts';
import { useLoader } from '../components/use-loader.ts';
import { kvVersion } from '../kv/kv-mount.ts';
import { text } from '../lib/format.ts';
import { useSession } from '../session/session-context.ts';

type Table = 'mounts' | 'auth';

/** What can be enabled here, by table: the engines and auth methods Sealbox has. */
const CHOICES: Readonly<Record<Table, ReadonlyArray<{ value: string; label: string }>>> = {
  mounts: [
    { value: 'kv-v2', label: 'KV version 2' },
    { value: 'kv-v1', label: 'KV version 1' },
  ],
  auth: [
    { value: 'userpass', label: 'userpass' },
    { value: 'approle', label: 'approle' },
    { value: 'kubernetes', label: 'kubernetes' },
  ],
};

/** Mounts that are part of every server and cannot be disabled. */
const BUILTIN = new Set(['sys/', 'cubbyhole/', 'identity/', 'token/']);

/** Secrets engines (sys/mounts) and auth methods (sys/auth): list, enable, disable. */
export function MountsPage() {
  return (
    <>
      <PageHeading title="Mounts" />
      <MountTable table="mounts" title="Secrets engines" />
      <MountTable table="auth" title="Auth methods" />
    </>
  );
}

function MountTable({ table, title }: { table: Table; title: string }) {
  const { api, token } = useSession();
  const mounts = useLoader(async () => Object.entries(dataOf(await api.get(`sys/${table}`)) as Record<string, Json>).sort(([a], [b]) => a.localeCompare(b)), [table, token]);
  const action = useAction();
  const disable = (path: string) =>
    void action.run(async () => {
      await api.delete(`sys/${table}/${encodePath(path.replace(/\/$/, ''))}`);
      mounts.reload();
    });
  const headingId = `${table}-heading`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {mounts.error === undefined ? null : <ErrorAlert errors={errorMessages(mounts.error)} />}
      <ErrorAlert errors={action.errors} />
      {mounts.value === undefined ? null : (
        <table>
          <TableHead caption={title} columns={['Path', 'Type', 'Description']} />
          <tbody>
            {mounts.value.map(([path, entry]) => {
              const type = String(entry['type']);
              return (
                <tr key={path} data-path={path}>
                  <td>{path}</td>
                  <td>{type === 'kv' ? `kv v${kvVersion(type, entry['options'])}` : type}</td>
                  <td>{text(entry['description'])}</td>
                  <td>
                    {BUILTIN.has(path) ? null : (
                      <ConfirmButton label={`Disable ${path}`} question={`Disable ${path}? Everything stored under it is deleted.`} danger onConfirm={() => disable(path)} />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <EnableForm table={table} onEnabled={mounts.reload} />
    </section>
  );
}

function EnableForm({ table, onEnabled }: { table: Table; onEnabled: () => void }) {
  const { api } = useSession();
  const choices = CHOICES[table];
  const [choice, setChoice] = useState(choices[0]!.value);
  const [path, setPath] = useState('');
  const [description, setDescription] = useState('');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const type = choice.startsWith('kv-') ? 'kv' : choice;
    const mount = (path.trim() === '' ? type : path.trim()).replace(/^\/+|\/+$/g, '');
    const body = { type, description, ...(choice.startsWith('kv-') ? { options: { version: choice.slice('kv-v'.length) } } : {}) };
    void action.run(async () => {
      await api.post(`sys/${table}/${encodePath(mount)}`, body);
      setPath('');
      setDescription('');
      onEnabled();
    });
  };
  const id = (name: string) => `${table}-${name}`;
  return (
    <form onSubmit={submit} class="form-grid enable" aria-label={table === 'mounts' ? 'Enable a secrets engine' : 'Enable an auth method'}>
      <div class="field">
        <label for={id('type')}>{table === 'mounts' ? 'Engine' : 'Method'}</label>
        <select id={id('type')} value={choice} onChange={(event) => setChoice(event.currentTarget.value)}>
          {choices.map((entry) => (
            <option key={entry.value} value={entry.value}>
              {entry.label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={id('path')}>Path</label>
        <input id={id('path')} type="text" placeholder={choice.startsWith('kv-') ? 'kv' : choice} autocomplete="off" value={path} onInput={(event) => setPath(event.currentTarget.value)} />
      </div>
      <div class="field wide">
        <label for={id('description')}>Description</label>
        <input id={id('description')} type="text" autocomplete="off" value={description} onInput={(event) => setDescription(event.currentTarget.value)} />
      </div>
      <ErrorAlert errors={action.errors} />
      <div class="actions wide">
        <button type="submit" class="primary" disabled={action.busy}>
          {table === 'mounts' ? 'Enable engine' : 'Enable method'}
        </button>
      </div>
    </form>
  );
}
