import type { V1LabelSelector } from '@kubernetes/client-node';

type Labels = Readonly<Record<string, string>> | undefined;

/** metav1.LabelSelector semantics: an empty selector matches everything. */
export function selectorMatches(selector: V1LabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const value = have[requirement.key];
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A pod's nodeSelector: every pair must be among the node's labels. */
export function mapSelectorMatches(selector: Labels, labels: Labels): boolean {
  const have = labels ?? {};
  return Object.entries(selector ?? {}).every(([key, value]) => have[key] === value);
}
