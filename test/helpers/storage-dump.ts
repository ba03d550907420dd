import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';

/** Every byte of every file below `dir`: what an attacker with the disk would see. */
export async function dumpFiles(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
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
