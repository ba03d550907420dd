import type { V1NodeSelectorRequirement, V1NodeSelectorTerm, V1Pod, V1PodAffinityTerm } from '@kubernetes/client-node';
import { mapSelectorMatches, selectorMatches } from './label-selector.ts';

/** A fake node as the scheduler sees it. */
export interface PlacementNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type Placement = { readonly node: string } | { readonly unschedulable: string };

/**
 * The scheduler's decision for a pending pod, for what test workloads use: nodeSelector,
 * required node affinity, required pod (anti-)affinity per topology key, then the node with the
 * fewest pods. No resources, taints or preferred terms.
 */
export function placePod(pod: V1Pod, nodes: readonly PlacementNode[], pods: readonly V1Pod[]): Placement {
  const reasons = new Map<string, number>();
  const fits: PlacementNode[] = [];
  for (const node of nodes) {
    const reason = misfit(pod, node, nodes, pods);
    if (reason === undefined) fits.push(node);
    else reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  if (fits.length === 0) {
    const detail = [...reasons].map(([reason, count]) => `${count} node(s) ${reason}`).join(', ');
    return { unschedulable: `0/${nodes.length} nodes are available: ${detail}.` };
  }
  const load = (node: PlacementNode) => pods.filter((other) => other.spec?.nodeName === node.name && !finished(other)).length;
  const best = fits.reduce((a, b) => (load(b) < load(a) ? b : a));
  return { node: best.name };
}

function misfit(pod: V1Pod, node: PlacementNode, nodes: readonly PlacementNode[], pods: readonly V1Pod[]): string | undefined {
  if (!mapSelectorMatches(pod.spec?.nodeSelector, node.labels)) return "didn't match Pod's node affinity/selector";
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms !== undefined && terms.length > 0 && !terms.some((term) => nodeTermMatches(term, node.labels))) {
    return "didn't match Pod's node affinity/selector";
  }
  const namespace = pod.metadata?.namespace ?? 'default';
  for (const term of pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (podsInTopology(term, namespace, node, nodes, pods, pod).length > 0) return "didn't match pod anti-affinity rules";
  }
  for (const term of pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    const anywhere = pods.some((other) => other !== pod && termSelects(term, namespace, other));
    // A pod that matches its own affinity term may go first anywhere, as in the real scheduler.
    if (!anywhere && termSelects(term, namespace, pod)) continue;
    if (podsInTopology(term, namespace, node, nodes, pods, pod).length === 0) return "didn't match pod affinity rules";
  }
  return undefined;
}

function podsInTopology(term: V1PodAffinityTerm, namespace: string, node: PlacementNode, nodes: readonly PlacementNode[], pods: readonly V1Pod[], self: V1Pod): V1Pod[] {
  const domain = node.labels[term.topologyKey];
  if (domain === undefined) return [];
  const sameDomain = new Set(nodes.filter((candidate) => candidate.labels[term.topologyKey] === domain).map((candidate) => candidate.name));
  return pods.filter(
    (other) =>
      other.metadata?.uid !== self.metadata?.uid &&
      other.spec?.nodeName !== undefined &&
      sameDomain.has(other.spec.nodeName) &&
      !finished(other) &&
      termSelects(term, namespace, other),
  );
}

function termSelects(term: V1PodAffinityTerm, namespace: string, other: V1Pod): boolean {
  const namespaces = term.namespaces !== undefined && term.namespaces.length > 0 ? term.namespaces : [namespace];
  if (term.namespaceSelector === undefined && !namespaces.includes(other.metadata?.namespace ?? 'default')) return false;
  return selectorMatches(term.labelSelector, other.metadata?.labels);
}

function nodeTermMatches(term: V1NodeSelectorTerm, labels: Readonly<Record<string, string>>): boolean {
  return (term.matchExpressions ?? []).every((requirement) => nodeRequirementMatches(requirement, labels));
}

function nodeRequirementMatches(requirement: V1NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

function finished(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}
