import { useEffect, useRef } from 'preact/hooks';
import { DownloadButton } from '../components/download-button.tsx';
import type { InitResult } from './init-form.tsx';

/**
 * The key shares and root token right after init. They live only in this component's props:
 * leaving the panel drops them, and they are never stored or logged.
 */
export function InitKeys({ result, onDone }: { result: InitResult; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="keys-heading" class="card keys">
      <h2 id="keys-heading" tabIndex={-1} ref={heading}>
        Unseal keys and root token
      </h2>
      <p class="notice">
        This is the only time these are shown. Keep the key shares apart from each other; {result.threshold} of the {result.shares} unseal the server.
      </p>
      <ol class="key-list">
        {result.keysBase64.map((key, index) => (
          <li key={index}>
            <span class="label">Unseal key {index + 1}</span> <code data-testid="unseal-key">{key}</code>
          </li>
        ))}
      </ol>
      <p>
        <span class="label">Root token</span> <code data-testid="root-token">{result.rootToken}</code>
      </p>
      <div class="actions">
        <DownloadButton label="Download keys (JSON)" fileName="sealbox-init.json" content={() => initJson(result)} />
        <button type="button" class="secondary" onClick={onDone}>
          I have saved them: continue
        </button>
      </div>
    </section>
  );
}

/** The file has sys/init's answer as it came: what `vault operator unseal` and scripts read. */
function initJson(result: InitResult): string {
  return `${JSON.stringify({ keys: result.keys, keys_base64: result.keysBase64, root_token: result.rootToken }, null, 2)}\n`;
}
