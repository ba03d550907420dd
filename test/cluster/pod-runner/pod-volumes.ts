import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  V1ConfigMapProjection,
  V1ConfigMapVolumeSource,
  V1DownwardAPIVolumeFile,
  V1KeyToPath,
  V1SecretProjection,
  V1SecretVolumeSource,
  V1Volume,
  V1VolumeProjection,
} from '@kubernetes/client-node';
import { writeAtomicDir } from './atomic-dir.ts';
import type { FileContent } from './atomic-dir.ts';
import { fieldRefValue, resourceFieldValue } from './downward-api.ts';
import type { PodFacts } from './downward-api.ts';
import type { KubeletApi } from './kubelet-api.ts';

/** A volume cannot be set up yet (its ConfigMap or Secret is missing) or at all (unsupported type). */
export class VolumeError extends Error {}

/** A volume as a directory (or file) on this machine. */
export interface HostVolume {
  readonly hostPath: string;
  /** ConfigMap, Secret, downward API and projected volumes are always mounted read-only. */
  readonly readOnly: boolean;
}

export interface PodVolumes {
  get(name: string): HostVolume | undefined;
  /** Rewrites generated volumes whose sources changed and renews service account tokens that are 80% through their life. */
  sync(): Promise<void>;
  /** Removes the pod's own volume directories (claims and host paths stay). */
  remove(): Promise<void>;
}

export interface PodVolumesInput {
  readonly facts: () => PodFacts;
  readonly api: KubeletApi;
  /** The pod's private directory: volumes go under it. */
  readonly podDir: string;
  /** Where PersistentVolumeClaims live, one directory per namespace/claim, kept across pods. */
  readonly claimsDir: string;
}

const DEFAULT_MODE = 0o644;
const TOKEN_DEFAULT_SECONDS = 3600;
const TOKEN_REFRESH_FRACTION = 0.8;

interface Token {
  readonly token: string;
  readonly refreshAt: number;
}

type Files = Map<string, FileContent>;

export async function preparePodVolumes(input: PodVolumesInput): Promise<PodVolumes> {
  const volumes = new Map<string, HostVolume>();
  const generated: V1Volume[] = [];
  const tokens = new Map<string, Token>();
  const volumesDir = join(input.podDir, 'volumes');
  const pod = input.facts().pod;
  const namespace = pod.metadata?.namespace ?? 'default';

  const render = async (volume: V1Volume): Promise<Files> => {
    const facts = input.facts();
    if (volume.configMap !== undefined) return configMapFiles(input.api, namespace, volume.configMap);
    if (volume.secret !== undefined) return secretFiles(input.api, namespace, volume.secret);
    if (volume.downwardAPI !== undefined) return downwardFiles(facts, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode);
    const files: Files = new Map();
    for (const [index, source] of (volume.projected?.sources ?? []).entries()) {
      const part = await projectedFiles(input, namespace, facts, source, tokens, `${volume.name}/${index}`, volume.projected?.defaultMode);
      for (const [path, content] of part) files.set(path, content);
    }
    return files;
  };

  for (const volume of pod.spec?.volumes ?? []) {
    const dir = join(volumesDir, volume.name);
    if (volume.emptyDir !== undefined) {
      await mkdir(dir, { recursive: true, mode: 0o777 });
      volumes.set(volume.name, { hostPath: dir, readOnly: false });
    } else if (volume.configMap !== undefined || volume.secret !== undefined || volume.downwardAPI !== undefined || volume.projected !== undefined) {
      await writeAtomicDir(dir, await render(volume));
      generated.push(volume);
      volumes.set(volume.name, { hostPath: dir, readOnly: true });
    } else if (volume.persistentVolumeClaim !== undefined) {
      const claimDir = join(input.claimsDir, namespace, volume.persistentVolumeClaim.claimName);
      await mkdir(claimDir, { recursive: true, mode: 0o777 });
      volumes.set(volume.name, { hostPath: claimDir, readOnly: volume.persistentVolumeClaim.readOnly ?? false });
    } else if (volume.hostPath !== undefined) {
      volumes.set(volume.name, { hostPath: await hostPathVolume(volume.hostPath.path, volume.hostPath.type), readOnly: false });
    } else {
      const kind = Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
      throw new VolumeError(`volume "${volume.name}": type ${kind} is not supported by the pod runner`);
    }
  }

  return {
    get: (name) => volumes.get(name),
    async sync() {
      for (const volume of generated) await writeAtomicDir(join(volumesDir, volume.name), await render(volume));
    },
    async remove() {
      await rm(volumesDir, { recursive: true, force: true });
    },
  };
}

async function configMapFiles(api: KubeletApi, namespace: string, source: V1ConfigMapVolumeSource | V1ConfigMapProjection, defaultMode?: number): Promise<Files> {
  const name = source.name ?? '';
  const map = await api.readConfigMap(namespace, name);
  if (map === undefined) {
    if (source.optional === true) return new Map();
    throw new VolumeError(`configmap "${name}" not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(map.data ?? {})) data.set(key, Buffer.from(value, 'utf8'));
  for (const [key, value] of Object.entries(map.binaryData ?? {})) data.set(key, Buffer.from(value, 'base64'));
  return keyedFiles(`configmap "${name}"`, data, source.items, ('defaultMode' in source ? source.defaultMode : undefined) ?? defaultMode, source.optional === true);
}

async function secretFiles(api: KubeletApi, namespace: string, source: V1SecretVolumeSource | V1SecretProjection, defaultMode?: number): Promise<Files> {
  const name = ('secretName' in source ? source.secretName : undefined) ?? ('name' in source ? source.name : undefined) ?? '';
  const secret = await api.readSecret(namespace, name);
  if (secret === undefined) {
    if (source.optional === true) return new Map();
    throw new VolumeError(`secret "${name}" not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(secret.data ?? {})) data.set(key, Buffer.from(value, 'base64'));
  return keyedFiles(`secret "${name}"`, data, source.items, ('defaultMode' in source ? source.defaultMode : undefined) ?? defaultMode, source.optional === true);
}

function keyedFiles(what: string, data: ReadonlyMap<string, Buffer>, items: readonly V1KeyToPath[] | undefined, defaultMode: number | undefined, optional: boolean): Files {
  const files: Files = new Map();
  const mode = defaultMode ?? DEFAULT_MODE;
  if (items === undefined || items.length === 0) {
    for (const [key, value] of data) files.set(key, { data: value, mode });
    return files;
  }
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      throw new VolumeError(`${what} has no key "${item.key}"`);
    }
    files.set(item.path, { data: value, mode: item.mode ?? mode });
  }
  return files;
}

function downwardFiles(facts: PodFacts, items: readonly V1DownwardAPIVolumeFile[], defaultMode?: number): Files {
  const files: Files = new Map();
  const containers = facts.pod.spec?.containers ?? [];
  for (const item of items) {
    let value: string | undefined;
    if (item.fieldRef !== undefined) value = fieldRefValue(facts, item.fieldRef);
    else if (item.resourceFieldRef !== undefined) value = resourceFieldValue(facts, containers, item.resourceFieldRef, containers[0]?.name ?? '');
    if (value === undefined) throw new VolumeError(`downward API item "${item.path}" is not supported`);
    files.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode ?? DEFAULT_MODE });
  }
  return files;
}

async function projectedFiles(
  input: PodVolumesInput,
  namespace: string,
  facts: PodFacts,
  source: V1VolumeProjection,
  tokens: Map<string, Token>,
  tokenKey: string,
  defaultMode: number | undefined,
): Promise<Files> {
  if (source.configMap !== undefined) return configMapFiles(input.api, namespace, source.configMap, defaultMode);
  if (source.secret !== undefined) return secretFiles(input.api, namespace, source.secret, defaultMode);
  if (source.downwardAPI !== undefined) return downwardFiles(facts, source.downwardAPI.items ?? [], defaultMode);
  if (source.serviceAccountToken !== undefined) {
    const { audience, expirationSeconds = TOKEN_DEFAULT_SECONDS, path } = source.serviceAccountToken;
    let token = tokens.get(tokenKey);
    if (token === undefined || Date.now() >= token.refreshAt) {
      const issued = Date.now();
      const fresh = await input.api.requestToken(facts.pod, audience, expirationSeconds);
      token = { token: fresh.token, refreshAt: issued + TOKEN_REFRESH_FRACTION * (fresh.expiresAt.getTime() - issued) };
      tokens.set(tokenKey, token);
    }
    return new Map([[path, { data: Buffer.from(token.token, 'utf8'), mode: defaultMode ?? DEFAULT_MODE }]]);
  }
  throw new VolumeError(`projected source ${Object.keys(source).join(', ')} is not supported by the pod runner`);
}

async function hostPathVolume(path: string, type: string | undefined): Promise<string> {
  if (type === 'DirectoryOrCreate') await mkdir(path, { recursive: true });
  if (type === 'FileOrCreate') await writeFile(path, '', { flag: 'a' });
  return path;
}
