import { fileURLToPath } from 'node:url';

/**
 * Maps container images to local commands, since nothing here can pull or run an image.
 *
 * Each entry plays an image's ENTRYPOINT and CMD with Docker's rules (the container's `command`
 * replaces the entrypoint, its `args` replace the cmd) and says which host program runs argv[0].
 */
export interface ImageEntry {
  matches(image: string): boolean;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** Directories searched before the host's PATH, as an image's own PATH would be. */
  readonly path?: readonly string[];
  /** Turns argv (after entrypoint/cmd resolution) into the host argv; identity by default. */
  hostArgv?(argv: readonly string[]): string[];
}

export type ImageTable = readonly ImageEntry[];

/** An image that no entry matches: the container waits with ErrImagePull, as with a real kubelet. */
export class UnknownImageError extends Error {}

export function resolveImageCommand(
  table: ImageTable,
  image: string,
  command: readonly string[] | undefined,
  args: readonly string[] | undefined,
): { readonly argv: string[]; readonly path: readonly string[] } {
  const entry = table.find((candidate) => candidate.matches(image));
  if (entry === undefined) throw new UnknownImageError(`image "${image}" has no local command in the pod runner's image table`);
  const useCommand = command !== undefined && command.length > 0;
  const argv = [...(useCommand ? command : entry.entrypoint), ...(args !== undefined && args.length > 0 ? args : useCommand ? [] : entry.cmd)];
  if (argv.length === 0) throw new UnknownImageError(`container of image "${image}" has no command and the image table gives none`);
  return { argv: entry.hostArgv?.(argv) ?? argv, path: entry.path ?? [] };
}

const SEALBOX_CLI = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
/** Makes node listeners that bind every address bind the pod's address instead. */
const BIND_POD_ADDRESS = new URL('./bind-pod-address.ts', import.meta.url).href;

function imageNamed(...names: string[]): (image: string) => boolean {
  return (image) => {
    const withoutDigest = image.split('@')[0] ?? image;
    const lastSegment = withoutDigest.split('/').at(-1) ?? withoutDigest;
    const repository = lastSegment.split(':')[0] ?? lastSegment;
    return names.includes(repository);
  };
}

/**
 * The sealbox image runs this work tree's CLI on the Node running the tests (the pinned Node 24
 * when started through npm): `sealbox`, `/usr/local/bin/sealbox` or an empty command mean the CLI.
 */
export function sealboxImage(): ImageEntry {
  return {
    matches: imageNamed('sealbox'),
    entrypoint: ['sealbox'],
    cmd: ['server'],
    hostArgv(argv) {
      const [first = '', ...rest] = argv;
      if (first.split('/').at(-1) !== 'sealbox') return [...argv];
      return [process.execPath, '--import', BIND_POD_ADDRESS, SEALBOX_CLI, ...rest];
    },
  };
}

/** busybox and alpine run Debian's busybox, with its applets first on the PATH. */
export function busyboxImage(appletDir: string): ImageEntry {
  return { matches: imageNamed('busybox', 'alpine'), entrypoint: [], cmd: ['sh'], path: [appletDir] };
}

/**
 * etcd images (gcr.io/etcd-development/etcd, quay.io/coreos/etcd) run Debian's etcd: the same
 * flags, though it may be an older minor version than the image's tag.
 */
export function etcdImage(): ImageEntry {
  return {
    matches: imageNamed('etcd'),
    entrypoint: [],
    cmd: ['/usr/local/bin/etcd'],
    hostArgv: ([first = '', ...rest]) => [first.split('/').at(-1) === 'etcd' ? 'etcd' : first, ...rest],
  };
}

/** The pause image sleeps until killed. */
export function pauseImage(): ImageEntry {
  return { matches: imageNamed('pause'), entrypoint: ['sleep'], cmd: ['infinity'] };
}

export function defaultImageTable(appletDir: string): ImageTable {
  return [sealboxImage(), busyboxImage(appletDir), etcdImage(), pauseImage()];
}
