import type { Permissions } from './permissions.ts';

/** One `path "…" { … }` block of a policy, validated. */
export interface PolicyRule {
  /** The pattern as written, without a leading '/', trailing '*' kept. */
  readonly path: string;
  /** Whether the pattern holds `{{identity…}}` templates, which need an identity to resolve. */
  readonly templated: boolean;
  readonly permissions: Permissions;
}

/** A policy document after parsing and validation, ready to be compiled into an ACL. */
export interface ParsedPolicy {
  readonly rules: readonly PolicyRule[];
}
