import type { LogicalRequest } from '../logical/logical-request.ts';
import type { SharedBlocks } from './audit-entry.ts';
import type { AuditInput } from './audit-input.ts';
import type { HashFunction } from './hash-structure.ts';

/** What the shared blocks depend on besides the request. */
interface BlockSources {
  readonly mount: AuditInput['mount'] | undefined;
  readonly caller: AuditInput['caller'] | undefined;
  readonly allowed: AuditInput['allowed'] | undefined;
}

/** What one device made for one request, and what it was made from. */
interface Memo {
  readonly hashes: Map<string, string>;
  blocks?: { readonly from: BlockSources; readonly blocks: SharedBlocks };
}

/**
 * The hashes and shared entry blocks one device made for one request, reused by its response
 * entry: a request's two entries hash the same token and accessor four times each otherwise, and
 * an HMAC costs more than the rest of an entry. Keyed weakly by the request, so nothing outlives
 * the request: the memo holds no value the request object does not already hold.
 */
export class RequestMemo {
  readonly #hash: HashFunction;
  readonly #memos = new WeakMap<LogicalRequest, Memo>();

  constructor(hash: HashFunction) {
    this.#hash = hash;
  }

  /** The hash function for the entries of `request`. */
  for(request: LogicalRequest): HashFunction {
    const { hashes } = this.#memo(request);
    return (value) => {
      let hashed = hashes.get(value);
      if (hashed === undefined) {
        hashed = this.#hash(value);
        hashes.set(value, hashed);
      }
      return hashed;
    };
  }

  /** The blocks made for `input`'s request, when made from the same mount, caller and verdict; else `make`'s. */
  blocks(input: AuditInput, make: () => SharedBlocks): SharedBlocks {
    const memo = this.#memo(input.request);
    const made = memo.blocks;
    if (made !== undefined && made.from.mount === input.mount && made.from.caller === input.caller && made.from.allowed === input.allowed) {
      return made.blocks;
    }
    const blocks = make();
    memo.blocks = { from: { mount: input.mount, caller: input.caller, allowed: input.allowed }, blocks };
    return blocks;
  }

  #memo(request: LogicalRequest): Memo {
    let memo = this.#memos.get(request);
    if (memo === undefined) {
      memo = { hashes: new Map() };
      this.#memos.set(request, memo);
    }
    return memo;
  }
}
