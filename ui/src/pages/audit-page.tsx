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
import { text } from '../lib/format.ts';
import { useSession } from '../session/session-context.ts';

/** Audit devices (sys/audit, sudo): list, enable a file or socket device, disable. */
export function AuditPage() {
  const { api, token } = useSession();
  const devices = useLoader(async () => Object.entries(dataOf(await api.get('sys/audit')) as Record<string, Json>).sort(([a], [b]) => a.localeCompare(b)), [token]);
  const action = useAction();
  const disable = (path: string) =>
    void action.run(async () => {
      await api.delete(`sys/audit/${encodePath(path.replace(/\/$/, ''))}`);
      devices.reload();
    });
  return (
    <>
      <PageHeading title="Audit devices" />
      <p class="muted">Every request and response is written to each enabled device before the client gets its answer; if none can write, requests fail.</p>
      {devices.error === undefined ? null : <ErrorAlert errors={errorMessages(devices.error)} />}
      <ErrorAlert errors={action.errors} />
      {devices.value === undefined ? null : devices.value.length === 0 ? (
        <p>No audit devices are enabled.</p>
      ) : (
        <table>
          <TableHead caption="Enabled audit devices" columns={['Path', 'Type', 'Options', 'Description']} />
          <tbody>
            {devices.value.map(([path, device]) => (
              <tr key={path} data-path={path}>
                <td>{path}</td>
                <td>{text(device['type'])}</td>
                <td>
                  <code>{optionsText(device['options'])}</code>
                </td>
                <td>{text(device['description'])}</td>
                <td>
                  <ConfirmButton label={`Disable ${path}`} question={`Disable the audit device ${path}? Requests are no longer recorded there.`} danger onConfirm={() => disable(path)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <EnableAuditForm onEnabled={devices.reload} />
    </>
  );
}

function optionsText(options: unknown): string {
  if (typeof options !== 'object' || options === null) return '—';
  const entries = Object.entries(options as Json);
  return entries.length === 0 ? '—' : entries.map(([key, value]) => `${key}=${String(value)}`).join(', ');
}

function EnableAuditForm({ onEnabled }: { onEnabled: () => void }) {
  const { api } = useSession();
  const [type, setType] = useState<'file' | 'socket'>('file');
  const [path, setPath] = useState('');
  const [description, setDescription] = useState('');
  const [target, setTarget] = useState('');
  const [socketType, setSocketType] = useState('tcp');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const mount = (path.trim() === '' ? type : path.trim()).replace(/^\/+|\/+$/g, '');
    const options = type === 'file' ? { file_path: target.trim() } : { address: target.trim(), socket_type: socketType };
    void action.run(async () => {
      await api.put(`sys/audit/${encodePath(mount)}`, { type, description, options });
      setPath('');
      setDescription('');
      setTarget('');
      onEnabled();
    });
  };
  return (
    <section class="card" aria-labelledby="enable-audit-heading">
      <h2 id="enable-audit-heading">Enable an audit device</h2>
      <form onSubmit={submit} class="form-grid">
        <div class="field">
          <label for="audit-type">Type</label>
          <select id="audit-type" value={type} onChange={(event) => setType(event.currentTarget.value as 'file' | 'socket')}>
            <option value="file">file</option>
            <option value="socket">socket</option>
          </select>
        </div>
        <div class="field">
          <label for="audit-path">Path</label>
          <input id="audit-path" type="text" placeholder={type} autocomplete="off" value={path} onInput={(event) => setPath(event.currentTarget.value)} />
        </div>
        {type === 'file' ? (
          <div class="field wide">
            <label for="audit-target">File path (or stdout)</label>
            <input id="audit-target" type="text" required autocomplete="off" value={target} onInput={(event) => setTarget(event.currentTarget.value)} />
          </div>
        ) : (
          <>
            <div class="field">
              <label for="audit-target">Address</label>
              <input id="audit-target" type="text" required placeholder="127.0.0.1:9090" autocomplete="off" value={target} onInput={(event) => setTarget(event.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="audit-socket-type">Socket type</label>
              <select id="audit-socket-type" value={socketType} onChange={(event) => setSocketType(event.currentTarget.value)}>
                <option value="tcp">tcp</option>
                <option value="udp">udp</option>
                <option value="unix">unix</option>
              </select>
            </div>
          </>
        )}
        <div class="field wide">
          <label for="audit-description">Description</label>
          <input id="audit-description" type="text" autocomplete="off" value={description} onInput={(event) => setDescription(event.currentTarget.value)} />
        </div>
        <ErrorAlert errors={action.errors} />
        <div class="actions wide">
          <button type="submit" class="primary" disabled={action.busy}>
            Enable audit device
          </button>
        </div>
      </form>
    </section>
  );
}
