import { useState } from 'preact/hooks';
import type { Json } from '../api/api-client.ts';
import { dataOf } from '../api/api-client.ts';
import { errorMessages } from '../api/api-error.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { PageHeading } from '../components/page-heading.tsx';
import { useLoader } from '../components/use-loader.ts';
import { formatTime, text, yesNo } from '../lib/format.ts';
import { useSession } from '../session/session-context.ts';
import type { InitResult } from './init-form.tsx';
import { InitForm } from './init-form.tsx';
import { InitKeys } from './init-keys.tsx';
import { SealPanel } from './seal-panel.tsx';
import { UnsealForm } from './unseal-form.tsx';

interface NodeStatus {
  readonly seal: Json;
  /** sys/leader answers only when unsealed. */
  readonly leader: Json | undefined;
  /** sys/key-status needs a token that may read it. */
  readonly keys: Json | undefined;
}

/** Seal state, version, HA role and key term; init, unseal and seal, whichever applies now. */
export function StatusPage() {
  const { api, token } = useSession();
  const [initResult, setInitResult] = useState<InitResult | undefined>(undefined);
  const status = useLoader<NodeStatus>(async () => {
    const seal = (await api.get('sys/seal-status', { anonymous: true })) ?? {};
    const unsealed = seal['sealed'] === false;
    const [leader, keys] = await Promise.all([
      unsealed ? api.get('sys/leader', { anonymous: true }).catch(() => undefined) : undefined,
      unsealed && token !== undefined ? api.get('sys/key-status').catch(() => undefined) : undefined,
    ]);
    return { seal, leader, keys: keys === undefined ? undefined : dataOf(keys) };
  }, [token]);
  const seal = status.value?.seal;
  return (
    <>
      <PageHeading title="Status" />
      {status.error === undefined ? null : <ErrorAlert errors={errorMessages(status.error)} />}
      {seal === undefined ? (
        <p class="muted">{status.loading ? 'Loading…' : ''}</p>
      ) : (
        <StatusSummary status={status.value!} />
      )}
      <p>
        <button type="button" class="secondary small" onClick={status.reload}>
          Refresh
        </button>
      </p>
      {initResult !== undefined ? (
        <InitKeys result={initResult} onDone={() => setInitResult(undefined)} />
      ) : seal?.['initialized'] === false ? (
        <InitForm
          onInitialized={(result) => {
            setInitResult(result);
            status.reload();
          }}
        />
      ) : seal?.['sealed'] === true ? (
        <UnsealForm threshold={Number(seal['t'])} progress={Number(seal['progress'])} onChange={status.reload} />
      ) : seal?.['sealed'] === false ? (
        <SealPanel onSealed={status.reload} />
      ) : null}
    </>
  );
}

function StatusSummary({ status }: { status: NodeStatus }) {
  const { seal, leader, keys } = status;
  const sealed = seal['sealed'] === true;
  return (
    <section aria-labelledby="node-heading" class="card">
      <h2 id="node-heading">This node</h2>
      <p class="badges">
        <span class={`badge ${seal['initialized'] === true ? 'ok' : 'warn'}`}>{seal['initialized'] === true ? 'Initialized' : 'Not initialized'}</span>{' '}
        <span class={`badge ${sealed ? 'warn' : 'ok'}`} data-testid="seal-state">
          {sealed ? 'Sealed' : 'Unsealed'}
        </span>
      </p>
      <dl class="facts">
        <dt>Version</dt>
        <dd>{text(seal['version'])}</dd>
        <dt>Storage</dt>
        <dd>{text(seal['storage_type'])}</dd>
        <dt>Cluster</dt>
        <dd>{text(seal['cluster_name'])}</dd>
        <dt>Key shares</dt>
        <dd>{seal['initialized'] === true ? `${text(seal['n'])} (threshold ${text(seal['t'])})` : '—'}</dd>
        <dt>High availability</dt>
        <dd>{leader === undefined ? '—' : leader['ha_enabled'] === true ? 'enabled' : 'disabled'}</dd>
        <dt>HA role</dt>
        <dd>{haRole(leader)}</dd>
        <dt>Leader</dt>
        <dd>{text(leader?.['leader_address'])}</dd>
        <dt>Active since</dt>
        <dd>{formatTime(leader?.['active_time'])}</dd>
        <dt>Key term</dt>
        <dd>{keys === undefined ? (sealed ? '—' : 'log in with a token that may read sys/key-status') : `${text(keys['term'])} (installed ${formatTime(keys['install_time'])})`}</dd>
        <dt>Recovery seal</dt>
        <dd>{yesNo(seal['recovery_seal'])}</dd>
      </dl>
    </section>
  );
}

function haRole(leader: Json | undefined): string {
  if (leader === undefined) return '—';
  if (leader['ha_enabled'] !== true) return 'active (single node)';
  return leader['is_self'] === true ? 'active' : 'standby';
}
