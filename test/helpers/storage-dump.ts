import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';

const DUMP_ATTEMPTS = 20;

/**
 * Every byte of every file below `dir`: what an attacker with the disk would see. A running server
 * may rename or remove a temp file between the listing and the read; the dump then starts over, so
 * that no file of one listing is left out.
 */
export async function dumpFiles(dir: string): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      const parts: Buffer[] = [];
      for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
      }
      return Buffer.concat(parts);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === DUMP_ATTEMPTS) throw error;
    }
  }
}

/** Every key and value under `prefix`: what an attacker with the etcd keyspace would see. */
export async function dumpEtcd(endpoint: string, prefix: string): Promise<Buffer> {
  const client = new Etcd3({ hosts: endpoint });
  try {
    const entries = await client.getAll().prefix(prefix).buffers();
    return Buffer.concat(Object.entries(entries).flatMap(([key, value]) => [Buffer.from(key), value]));
  } finally {
    client.close();
  }
}
