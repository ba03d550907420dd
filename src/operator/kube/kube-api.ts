import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { CoreV1Event, KubeConfig, KubernetesObject, V1DeleteOptions } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../api/labels.ts';
import { GROUP, PLURAL, VERSION } from '../api/vault-cluster.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { isNotFound } from './api-errors.ts';

export type WriteVerb = 'create' | 'apply' | 'patch' | 'delete';

/** Told about every write the operator sends, for its metrics and for tests that count them. */
export type WriteObserver = (verb: WriteVerb, kind: string) => void;

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface DeleteOptions {
  /** Deletes only this incarnation of the object (a precondition on its uid). */
  readonly uid?: string;
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

/**
 * The operator's whole use of the Kubernetes API for writes and uncached reads: server-side apply
 * with one field manager, merge patches, status through the status subresource, deletes with
 * preconditions, events. Not-found reads are `undefined`.
 */
export class KubeApi {
  readonly #objects: KubernetesObjectApi;
  readonly #custom: CustomObjectsApi;
  readonly #core: CoreV1Api;
  readonly #observe: WriteObserver;

  constructor(config: KubeConfig, observe: WriteObserver = () => undefined) {
    this.#objects = KubernetesObjectApi.makeApiClient(config);
    this.#custom = config.makeApiClient(CustomObjectsApi);
    this.#core = config.makeApiClient(CoreV1Api);
    this.#observe = observe;
  }

  async read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return (await this.#objects.read<T>(header(ref) as never)) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Server-side apply, forcing: the operator owns every field it sets on its children. */
  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    this.#observe('apply', object.kind ?? '');
    return this.#objects.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  async create<T extends KubernetesObject>(object: T): Promise<T> {
    this.#observe('create', object.kind ?? '');
    return this.#objects.create(object, undefined, undefined, FIELD_MANAGER);
  }

  /** A JSON merge patch; `resourceVersion` in the patch makes it conditional. */
  async mergePatch<T extends KubernetesObject>(ref: ObjectRef, patch: Record<string, unknown>): Promise<T> {
    this.#observe('patch', ref.kind);
    const body = { ...patch, apiVersion: ref.apiVersion, kind: ref.kind, metadata: { ...((patch['metadata'] as object | undefined) ?? {}), name: ref.name, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) } };
    return this.#objects.patch(body as unknown as T, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
  }

  /** Deletes; false when it was already gone (or is another incarnation, with a uid precondition). */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    this.#observe('delete', ref.kind);
    const body: V1DeleteOptions = {
      ...(options.uid === undefined ? {} : { preconditions: { uid: options.uid } }),
      ...(options.propagationPolicy === undefined ? {} : { propagationPolicy: options.propagationPolicy }),
    };
    try {
      await this.#objects.delete(header(ref), undefined, undefined, undefined, undefined, options.propagationPolicy, body);
      return true;
    } catch (error) {
      if (isNotFound(error) || (options.uid !== undefined && (error as { code?: number }).code === 409)) return false;
      throw error;
    }
  }

  /** Merge-patches status through the status subresource; null deletes a field. */
  async patchClusterStatus(cluster: VaultCluster, status: Record<string, unknown>): Promise<void> {
    this.#observe('patch', 'VaultCluster/status');
    await this.#custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural: PLURAL, namespace: cluster.metadata?.namespace ?? '', name: cluster.metadata?.name ?? '', body: { status }, fieldManager: FIELD_MANAGER },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** Replaces the finalizers, conditional on the resourceVersion the operator read. */
  async setClusterFinalizers(cluster: VaultCluster, finalizers: readonly string[]): Promise<void> {
    this.#observe('patch', 'VaultCluster');
    await this.#custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace: cluster.metadata?.namespace ?? '',
        name: cluster.metadata?.name ?? '',
        body: { metadata: { finalizers, resourceVersion: cluster.metadata?.resourceVersion } },
        fieldManager: FIELD_MANAGER,
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async createEvent(namespace: string, event: CoreV1Event): Promise<void> {
    this.#observe('create', 'Event');
    await this.#core.createNamespacedEvent({ namespace, body: event });
  }
}

function header(ref: ObjectRef): KubernetesObject {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) } };
}
