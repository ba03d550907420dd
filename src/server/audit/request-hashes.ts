import type { LogicalRequest } from '../logical/logical-request.ts';
import type { HashFunction } from './hash-structure.ts';

/**
 * The hashes one device made for one request, reused by its response entry: a request's two
 * entries hash the same token and accessor four times each otherwise, and an HMAC costs more than
 * the rest of an entry. Keyed weakly by the request, so nothing outlives the request: the memo
 * holds no value the request object does not already hold.
 */
export class RequestHashes {
  readonly #hash: HashFunction;
  readonly #memos = new WeakMap<LogicalRequest, Map<string, string>>();

  constructor(hash: HashFunction) {
    this.#hash = hash;
  }

  /** The hash function for the entries of `request`. */
  for(request: LogicalRequest): HashFunction {
    let memo = this.#memos.get(request);
    if (memo === undefined) {
      memo = new Map();
      this.#memos.set(request, memo);
    }
    const known = memo;
    return (value) => {
      let hashed = known.get(value);
      if (hashed === undefined) {
        hashed = this.#hash(value);
        known.set(value, hashed);
      }
      return hashed;
    };
  }
}
