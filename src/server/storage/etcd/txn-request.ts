import type { ICompare, IRequestOp, ITxnRequest } from 'etcd3';
import type { TxnCondition, TxnOperation } from '../physical-backend.ts';

/** One logical commit as it goes to etcd: its final writes (one per key) and its conditions. */
export interface EtcdCommit {
  readonly writes: readonly TxnOperation[];
  readonly conditions: readonly TxnCondition[];
  /** About how many bytes it takes in a request (request-size.ts). */
  readonly bytes: number;
}

/**
 * etcd Txn requests in the wire shape of etcd3's KV client, keys under the backend's prefix. The
 * builders of etcd3 make a promise per operation and insist on a first compare; a batch of
 * commits needs neither.
 */
export class TxnRequests {
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** A read-only Txn of one range per key: etcd answers it at one revision with one read index. */
  reads(keys: readonly string[]): ITxnRequest {
    return { compare: [], success: keys.map((key) => ({ request_range: { key: this.#key(key) } })), failure: [] };
  }

  /** The writes of every commit, if every condition holds; identical conditions are sent once. */
  commits(commits: readonly EtcdCommit[]): ITxnRequest {
    const compare = new Map<string, ICompare>();
    const success: IRequestOp[] = [];
    for (const { writes, conditions } of commits) {
      for (const condition of conditions) compare.set(conditionId(condition), this.#compare(condition));
      for (const write of writes) success.push(this.#operation(write));
    }
    return { compare: [...compare.values()], success, failure: [] };
  }

  #key(key: string): Buffer {
    return Buffer.from(this.#prefix + key, 'utf8');
  }

  #operation(write: TxnOperation): IRequestOp {
    if (write.type === 'delete') return { request_delete_range: { key: this.#key(write.key) } };
    return { request_put: { key: this.#key(write.key), value: Buffer.from(write.value) } };
  }

  // An absent key has create revision 0; a Value compare on an absent key never holds.
  #compare(condition: TxnCondition): ICompare {
    const key = this.#key(condition.key);
    if (condition.value === undefined) return { key, result: 'Equal', target: 'Create', create_revision: 0 };
    return { key, result: 'Equal', target: 'Value', value: Buffer.from(condition.value) };
  }
}

function conditionId(condition: TxnCondition): string {
  const value = condition.value === undefined ? '-' : `=${Buffer.from(condition.value).toString('base64')}`;
  return `${condition.key}${value}`;
}
