import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { describeError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface SupervisedInformerOptions<T extends KubernetesObject> {
  /** For logs and metrics, e.g. "pods". */
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  /** The collection URL, e.g. /api/v1/pods or /api/v1/namespaces/ns/pods. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
  readonly logger: Logger;
  readonly onRestart?: () => void;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * A client-node informer that does not stay dead. client-node's ListWatch re-watches by itself
 * after a timeout or a 410, but stops for good on any other error (a network failure, a 401 or
 * 403, a failed list): this restarts it with a doubling back-off, and says whether it has listed
 * successfully (synced) and is watching now (healthy), for /readyz and /healthz.
 */
export class SupervisedInformer<T extends KubernetesObject> {
  readonly name: string;
  readonly #options: SupervisedInformerOptions<T>;
  readonly #informer: ListWatch<T>;
  readonly #handlers: ((event: InformerEvent, object: T) => void)[] = [];
  #synced = false;
  #failing = false;
  #stopped = false;
  #failures = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #firstSync = Promise.withResolvers<void>();

  constructor(options: SupervisedInformerOptions<T>) {
    this.name = options.name;
    this.#options = options;
    const list = async () => {
      const result = withItemTypes(await options.list());
      this.#synced = true;
      this.#failing = false;
      this.#failures = 0;
      this.#firstSync.resolve();
      return result;
    };
    this.#informer = new ListWatch<T>(options.path, new Watch(options.kubeConfig), list, false, options.labelSelector);
    for (const event of ['add', 'update', 'delete'] as const) {
      this.#informer.on(event, (object) => {
        for (const handler of this.#handlers) handler(event, object);
      });
    }
    this.#informer.on('connect', () => {
      this.#failing = false;
    });
    this.#informer.on('error', (error: unknown) => this.#restartLater(error));
  }

  onEvent(handler: (event: InformerEvent, object: T) => void): void {
    this.#handlers.push(handler);
  }

  /** Starts, and resolves after the first successful list (retrying with back-off until then or stop). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#informer.start();
    // stop() resolves it too.
    await this.#firstSync.promise;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#restartTimer !== undefined) clearTimeout(this.#restartTimer);
    this.#firstSync.resolve();
    await this.#informer.stop();
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Listed once, and not waiting to restart after an error. */
  get healthy(): boolean {
    return this.#synced && !this.#failing;
  }

  list(namespace?: string): readonly T[] {
    return this.#informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#informer.get(name, namespace);
  }

  #restartLater(error: unknown): void {
    if (this.#stopped) return;
    this.#failing = true;
    const delay = Math.min(this.#options.maxDelayMs ?? 30_000, (this.#options.baseDelayMs ?? 1000) * 2 ** this.#failures);
    this.#failures += 1;
    this.#options.logger.warn('informer stopped; restarting', { informer: this.name, error: describeError(error), delayMs: delay });
    if (this.#restartTimer !== undefined) clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#stopped) return;
      this.#options.onRestart?.();
      this.#informer.start().catch((restartError: unknown) => this.#restartLater(restartError));
    }, delay);
  }
}

/**
 * A list's items come without kind and apiVersion (the list names them once), while watch events
 * carry both: stamped here, every cached object looks the same however it arrived, and compares
 * equal to a desired object of the same content.
 */
function withItemTypes<T extends KubernetesObject>(list: KubernetesListObject<T>): KubernetesListObject<T> {
  const kind = list.kind?.replace(/List$/, '');
  const { apiVersion } = list;
  if (kind === undefined || apiVersion === undefined) return list;
  return { ...list, items: list.items.map((item) => ({ ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind })) };
}
