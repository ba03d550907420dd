import type { V1Container, V1ObjectFieldSelector, V1Pod, V1ResourceFieldSelector } from '@kubernetes/client-node';

/** What the downward API can tell about a running pod besides its spec. */
export interface PodFacts {
  readonly pod: V1Pod;
  readonly podIp: string;
  readonly hostIp: string;
  readonly nodeAllocatable: Readonly<Record<string, string>>;
}

/** The value of a fieldRef, as the kubelet renders it; undefined for a path it does not know. */
export function fieldRefValue(facts: PodFacts, selector: V1ObjectFieldSelector): string | undefined {
  const { pod } = facts;
  const metadata = pod.metadata ?? {};
  const path = selector.fieldPath;
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed !== null) {
    const map = keyed[1] === 'labels' ? metadata.labels : metadata.annotations;
    return map?.[keyed[2] ?? ''] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return metadata.name ?? '';
    case 'metadata.namespace':
      return metadata.namespace ?? '';
    case 'metadata.uid':
      return metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(metadata.labels);
    case 'metadata.annotations':
      return formatMap(metadata.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIp;
    case 'status.podIP':
    case 'status.podIPs':
      return facts.podIp;
    default:
      return undefined;
  }
}

/** The value of a resourceFieldRef: the container's limit or request, limits defaulting to the node's allocatable. */
export function resourceFieldValue(facts: PodFacts, containers: readonly V1Container[], selector: V1ResourceFieldSelector, defaultContainer: string): string {
  const name = selector.containerName ?? defaultContainer;
  const container = containers.find((candidate) => candidate.name === name);
  const [kind = '', resource = ''] = selector.resource.split('.', 2);
  const resources = container?.resources;
  const declared = kind === 'limits' ? resources?.limits?.[resource] : resources?.requests?.[resource];
  const fallback = kind === 'limits' ? facts.nodeAllocatable[resource] : resource === 'cpu' || resource === 'memory' ? '0' : undefined;
  const quantity = parseQuantity(String(declared ?? fallback ?? '0'));
  const divisor = parseQuantity(String(selector.divisor ?? '1'));
  // The kubelet rounds up, so a 250m CPU limit reads as 1 with the default divisor.
  return String(Math.ceil(quantity / (divisor === 0 ? 1 : divisor)));
}

const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(text: string): number {
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(text.trim());
  if (match === null) return 0;
  return Number(match[1]) * (SUFFIXES[match[2] ?? ''] ?? 1);
}

function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify(map?.[key] ?? '')}`)
    .join('\n');
}
