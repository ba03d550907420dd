import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Pod IPs for one pod runner: 127.B.X.Y, where the /16 block B belongs to this runner alone.
 * Linux routes all of 127.0.0.0/8 to the loopback interface, so a process can bind any of these
 * addresses without configuring anything, and pods on the same machine can all use port 8200.
 *
 * Blocks are claimed with exclusive lock files naming the owning pid, so concurrent test workers
 * (each with its own cluster) never hand out the same address; a dead owner's block is reclaimed.
 */
export interface PodAddresses {
  /** The runner's number on this machine (its /16 block), unique among live runners. */
  readonly block: number;
  /** The next unused address of the block. */
  allocate(): string;
  /** Gives the block back. */
  release(): void;
  /** Whether another live process holds a block, i.e. another pod runner is running. */
  othersAlive(): boolean;
}

/** The machine-wide registry of live pod runners: one lock file per address block. */
export const RUNNER_REGISTRY_DIR = join(tmpdir(), 'sealbox-pod-runners');
// 127.0.x.y holds 127.0.0.1 and whatever else the machine uses; 127.255 is left alone too.
const FIRST_BLOCK = 10;
const LAST_BLOCK = 250;
const ADDRESSES_PER_BLOCK = 254 * 254;

export function claimPodAddresses(): PodAddresses {
  mkdirSync(RUNNER_REGISTRY_DIR, { recursive: true });
  const start = FIRST_BLOCK + Math.floor(Math.random() * (LAST_BLOCK - FIRST_BLOCK + 1));
  for (let offset = 0; offset <= LAST_BLOCK - FIRST_BLOCK; offset += 1) {
    const block = FIRST_BLOCK + ((start - FIRST_BLOCK + offset) % (LAST_BLOCK - FIRST_BLOCK + 1));
    if (tryClaim(block)) return addressesOf(block);
  }
  throw new Error(`no free pod address block in 127.${FIRST_BLOCK}-${LAST_BLOCK}.0.0/16 (see ${RUNNER_REGISTRY_DIR})`);
}

function addressesOf(block: number): PodAddresses {
  let next = 0;
  let released = false;
  return {
    block,
    allocate() {
      if (released) throw new Error('pod address block already released');
      if (next >= ADDRESSES_PER_BLOCK) throw new Error(`pod address block 127.${block}.0.0/16 is used up`);
      const index = next;
      next += 1;
      return `127.${block}.${1 + Math.floor(index / 254)}.${1 + (index % 254)}`;
    },
    release() {
      if (released) return;
      released = true;
      rmSync(lockFile(block), { force: true });
      // Blocks of runners that were killed are free again: say so for whoever looks next.
      for (const name of readdirSync(RUNNER_REGISTRY_DIR)) {
        if (/^\d+$/.test(name) && !ownerAlive(join(RUNNER_REGISTRY_DIR, name))) rmSync(join(RUNNER_REGISTRY_DIR, name), { force: true });
      }
    },
    othersAlive() {
      return readdirSync(RUNNER_REGISTRY_DIR).some((name) => /^\d+$/.test(name) && name !== String(block) && ownerAlive(join(RUNNER_REGISTRY_DIR, name)));
    },
  };
}

function tryClaim(block: number): boolean {
  const file = lockFile(block);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerAlive(file)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

function ownerAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockFile(block: number): string {
  return join(RUNNER_REGISTRY_DIR, String(block));
}
