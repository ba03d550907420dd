import type { Permissions } from './permissions.ts';
import type { Candidate } from './rule-priority.ts';

/** A rule with `+` segments, split once at compile time. */
export interface SegmentRule extends Candidate {
  readonly parts: readonly string[];
}

/** Vault's test for a `+` pattern: a whole segment that is just `+`. */
export function hasSegmentWildcards(path: string): boolean {
  return path === '+' || path.startsWith('+/') || path.includes('/+');
}

/** `path` is the pattern as written, trailing `*` included. */
export function segmentRule(path: string, permissions: Permissions): SegmentRule {
  const isPrefix = path.endsWith('*');
  const pattern = isPrefix ? path.slice(0, -1) : path;
  const parts = pattern.split('/');
  return {
    firstWildcard: path.indexOf('+'),
    isPrefix,
    wildcards: parts.filter((part) => part === '+').length,
    pattern,
    parts,
    permissions,
  };
}

/**
 * Whether the rule matches a path split at '/'. Without a trailing `*` the segment counts must
 * agree; with one, the last segment of the pattern is a prefix of the path's segment there.
 */
export function matchesSegments(rule: SegmentRule, pathParts: readonly string[]): boolean {
  if (pathParts.length < rule.parts.length) return false;
  if (!rule.isPrefix && pathParts.length !== rule.parts.length) return false;
  const last = rule.parts.length - 1;
  return rule.parts.every((part, i) => {
    const segment = pathParts[i] ?? '';
    return part === '+' || part === segment || (rule.isPrefix && i === last && segment.startsWith(part));
  });
}

/**
 * Whether the rule can match some path below a prefix (its segments, without the trailing '/'):
 * every prefix segment is matched by a `+`, by itself, or by a final glob that covers the rest.
 */
export function reachesBelow(rule: SegmentRule, prefixParts: readonly string[]): boolean {
  const last = rule.parts.length - 1;
  for (const [i, segment] of prefixParts.entries()) {
    const part = rule.parts[i];
    if (part === undefined) return false;
    if (rule.isPrefix && i === last) return segment.startsWith(part);
    if (part !== '+' && part !== segment) return false;
  }
  return true;
}
