import type { Permissions } from './permissions.ts';

/** A glob or `+` rule that matches a path, described by what Vault's priority order compares. */
export interface Candidate {
  /** Index of the first `+` or `*` in the pattern. */
  readonly firstWildcard: number;
  /** Whether the pattern ends in `*`. */
  readonly isPrefix: boolean;
  /** How many `+` segments it has. */
  readonly wildcards: number;
  /** The pattern without its trailing `*`. */
  readonly pattern: string;
  readonly permissions: Permissions;
}

/**
 * Whether `a` beats `b` when both match: the later first wildcard wins, then a non-glob over a
 * glob, then fewer `+` segments, then the longer pattern, then the lexicographically greater.
 */
export function outranks(a: Candidate, b: Candidate): boolean {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard > b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return !a.isPrefix;
  if (a.wildcards !== b.wildcards) return a.wildcards < b.wildcards;
  if (a.pattern.length !== b.pattern.length) return a.pattern.length > b.pattern.length;
  return a.pattern > b.pattern;
}

/** The winning candidate, or undefined when there is none. */
export function bestCandidate(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const candidate of candidates) {
    if (best === undefined || outranks(candidate, best)) best = candidate;
  }
  return best;
}
