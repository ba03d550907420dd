import type { V1Container } from '@kubernetes/client-node';
import { fieldRefValue, resourceFieldValue } from './downward-api.ts';
import type { PodFacts } from './downward-api.ts';
import type { KubeletApi } from './kubelet-api.ts';
import { expandVars } from './var-expansion.ts';

/** A container cannot start with this configuration yet (missing ConfigMap, Secret or key). */
export class ContainerConfigError extends Error {}

export interface EnvironmentInput {
  readonly facts: PodFacts;
  readonly container: V1Container;
  /** Every container of the pod, for resourceFieldRef with a containerName. */
  readonly containers: readonly V1Container[];
  readonly api: KubeletApi;
  /** KUBERNETES_SERVICE_HOST and friends: visible to $(VAR) references, overridden by the spec. */
  readonly serviceEnv: Readonly<Record<string, string>>;
}

/** The container's variables from envFrom and env, in the kubelet's order and with its $(VAR) expansion. */
export async function containerEnvironment(input: EnvironmentInput): Promise<Record<string, string>> {
  const { container, facts, api } = input;
  const namespace = facts.pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = { ...input.serviceEnv };
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.configMapRef !== undefined) {
      const { name = '', optional = false } = source.configMapRef;
      const map = await api.readConfigMap(namespace, name);
      if (map === undefined && !optional) throw new ContainerConfigError(`configmap "${name}" not found`);
      for (const [key, value] of Object.entries(map?.data ?? {})) env[prefix + key] = value;
    }
    if (source.secretRef !== undefined) {
      const { name = '', optional = false } = source.secretRef;
      const secret = await api.readSecret(namespace, name);
      if (secret === undefined && !optional) throw new ContainerConfigError(`secret "${name}" not found`);
      for (const [key, value] of Object.entries(secret?.data ?? {})) env[prefix + key] = decode(value);
    }
  }
  for (const variable of container.env ?? []) {
    const value = await variableValue(input, namespace, env, variable.name, variable.value, variable.valueFrom);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

async function variableValue(
  input: EnvironmentInput,
  namespace: string,
  defined: Readonly<Record<string, string>>,
  name: string,
  literal: string | undefined,
  from: NonNullable<V1Container['env']>[number]['valueFrom'],
): Promise<string | undefined> {
  if (from === undefined) return expandVars(literal ?? '', (ref) => defined[ref]);
  if (from.fieldRef !== undefined) {
    const value = fieldRefValue(input.facts, from.fieldRef);
    if (value === undefined) throw new ContainerConfigError(`env ${name}: unsupported fieldPath "${from.fieldRef.fieldPath}"`);
    return value;
  }
  if (from.resourceFieldRef !== undefined) {
    return resourceFieldValue(input.facts, input.containers, from.resourceFieldRef, input.container.name);
  }
  if (from.configMapKeyRef !== undefined) {
    const { name: mapName = '', key, optional = false } = from.configMapKeyRef;
    const value = (await input.api.readConfigMap(namespace, mapName))?.data?.[key];
    if (value === undefined && !optional) throw new ContainerConfigError(`env ${name}: key "${key}" of configmap "${mapName}" not found`);
    return value;
  }
  if (from.secretKeyRef !== undefined) {
    const { name: secretName = '', key, optional = false } = from.secretKeyRef;
    const value = (await input.api.readSecret(namespace, secretName))?.data?.[key];
    if (value === undefined && !optional) throw new ContainerConfigError(`env ${name}: key "${key}" of secret "${secretName}" not found`);
    return value === undefined ? undefined : decode(value);
  }
  throw new ContainerConfigError(`env ${name}: unsupported valueFrom`);
}

function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
