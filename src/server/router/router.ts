import type { LogicalBackend } from '../logical/logical-backend.ts';
import type { MountEntry } from './mount-entry.ts';

export interface RouteMatch {
  readonly mount: MountEntry;
  readonly backend: LogicalBackend;
  /** The path inside the mount. */
  readonly relativePath: string;
}

interface Mounted {
  readonly mount: MountEntry;
  readonly backend: LogicalBackend;
}

/** Longest-prefix routing over the mounted backends of both mount tables. */
export class Router {
  #byPath = new Map<string, Mounted>();
  /** Paths sorted longest first, so the first prefix that matches is the longest. */
  #order: string[] = [];

  mount(mount: MountEntry, backend: LogicalBackend): void {
    this.#byPath.set(mount.path, { mount, backend });
    this.#reorder();
  }

  unmount(path: string): LogicalBackend | undefined {
    const mounted = this.#byPath.get(path);
    this.#byPath.delete(path);
    this.#reorder();
    return mounted?.backend;
  }

  /** The mount owning `path`; a path equal to a mount without its slash (`secret`) belongs to it. */
  match(path: string): RouteMatch | undefined {
    for (const prefix of this.#order) {
      if (!path.startsWith(prefix) && path !== prefix.slice(0, -1)) continue;
      const mounted = this.#byPath.get(prefix)!;
      return { ...mounted, relativePath: path.slice(prefix.length) };
    }
    return undefined;
  }

  /** The mount whose path conflicts with `path` (equal, above or below it), if any. */
  conflict(path: string): MountEntry | undefined {
    for (const prefix of this.#order) {
      if (path.startsWith(prefix) || prefix.startsWith(path)) return this.#byPath.get(prefix)!.mount;
    }
    return undefined;
  }

  mounts(): MountEntry[] {
    return [...this.#byPath.values()].map((mounted) => mounted.mount);
  }

  backends(): LogicalBackend[] {
    return [...this.#byPath.values()].map((mounted) => mounted.backend);
  }

  #reorder(): void {
    this.#order = [...this.#byPath.keys()].sort((a, b) => b.length - a.length);
  }
}
