import { useState } from 'preact/hooks';
import type { Json } from '../api/api-client.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import type { Pair } from '../components/key-value-editor.tsx';
import { KeyValueEditor, objectToPairs, pairsToObject } from '../components/key-value-editor.tsx';
import { SavedNote } from '../components/saved-note.tsx';
import { useAction } from '../components/use-action.ts';
import type { KvMount } from '../kv/kv-mount.ts';
import { kvPaths } from '../kv/kv-mount.ts';
import { formatTime } from '../lib/format.ts';
import { useSession } from '../session/session-context.ts';

interface SecretMetadataFormProps {
  readonly kv: KvMount;
  readonly path: string;
  readonly metadata: Json;
  readonly onSaved: () => void;
}

/** KV v2 metadata: the version limit, check-and-set, automatic deletion and custom metadata. */
export function SecretMetadataForm({ kv, path, metadata, onSaved }: SecretMetadataFormProps) {
  const { api } = useSession();
  const [maxVersions, setMaxVersions] = useState(String(metadata['max_versions'] ?? 0));
  const [casRequired, setCasRequired] = useState(metadata['cas_required'] === true);
  const [deleteAfter, setDeleteAfter] = useState(String(metadata['delete_version_after'] ?? '0s'));
  const [custom, setCustom] = useState<Pair[]>(objectToPairs((metadata['custom_metadata'] ?? {}) as Json) ?? []);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setSaved(false);
    const customMetadata = pairsToObject(custom);
    if ('errors' in customMetadata) return action.setErrors(customMetadata.errors.map((error) => `custom metadata ${error}`));
    void action.run(async () => {
      await api.post(kvPaths.metadata(kv, path), {
        max_versions: Number(maxVersions),
        cas_required: casRequired,
        delete_version_after: deleteAfter.trim(),
        custom_metadata: customMetadata.value,
      });
      setSaved(true);
      onSaved();
    });
  };
  return (
    <section class="card" aria-labelledby="metadata-heading">
      <h2 id="metadata-heading">Metadata</h2>
      <dl class="facts">
        <dt>Current version</dt>
        <dd>{String(metadata['current_version'] ?? '—')}</dd>
        <dt>Oldest version</dt>
        <dd>{String(metadata['oldest_version'] ?? '—')}</dd>
        <dt>Created</dt>
        <dd>{formatTime(metadata['created_time'])}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(metadata['updated_time'])}</dd>
      </dl>
      <form onSubmit={submit} class="form-grid">
        <div class="field">
          <label for="meta-max-versions">Maximum versions (0: the mount's setting)</label>
          <input id="meta-max-versions" type="number" min={0} value={maxVersions} onInput={(event) => setMaxVersions(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="meta-delete-after">Delete versions after (0s: never)</label>
          <input id="meta-delete-after" type="text" value={deleteAfter} onInput={(event) => setDeleteAfter(event.currentTarget.value)} />
        </div>
        <div class="field wide checkbox">
          <input id="meta-cas" type="checkbox" checked={casRequired} onChange={(event) => setCasRequired(event.currentTarget.checked)} />
          <label for="meta-cas">Require check-and-set on writes</label>
        </div>
        <div class="wide">
          <KeyValueEditor legend="Custom metadata" pairs={custom} onChange={setCustom} />
        </div>
        <ErrorAlert errors={action.errors} />
        <div class="actions wide">
          <button type="submit" class="primary" disabled={action.busy}>
            Save metadata
          </button>
          <SavedNote shown={saved} />
        </div>
      </form>
    </section>
  );
}
