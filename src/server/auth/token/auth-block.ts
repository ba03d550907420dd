import type { AuthBlock } from '../../logical/logical-response.ts';
import type { TokenEntry } from './token-entry.ts';

/** The envelope's `auth` block for a token; `clientToken` is '' when answering by accessor. */
export function authBlock(clientToken: string, entry: TokenEntry, leaseDuration: number): AuthBlock {
  return {
    client_token: clientToken,
    accessor: entry.accessor,
    policies: [...entry.policies],
    token_policies: [...entry.policies],
    metadata: entry.meta,
    lease_duration: leaseDuration,
    renewable: entry.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: entry.orphan,
    mfa_requirement: null,
    num_uses: entry.numUses,
  };
}
