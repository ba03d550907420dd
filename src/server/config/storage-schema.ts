import { z } from 'zod';
import {
  EVEN_AFTER_FIELD_ERRORS,
  blockObject,
  groupByLabel,
  rejectUnsupportedLabels,
  singleBlock,
  type UnknownKeys,
} from './block-shape.ts';
import { ifDefined } from './if-defined.ts';
import type { EtcdStorageConfig, StorageConfig } from './server-config.ts';
import { boolish, describeValue, durationMs, isHttpUrl, optionalText, text } from './vault-values.ts';

const STORAGE_TYPES = ['inmem', 'file', 'etcd'];
const DEFAULT_ETCD_ENDPOINT = 'http://127.0.0.1:2379';

/** Vault's etcd `address`: comma-separated endpoint URLs. */
const etcdEndpoints = z
  .string({ error: 'expected comma-separated endpoint URLs' })
  .transform((value, ctx) => {
    const endpoints = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
    if (endpoints.length === 0) ctx.addIssue('expected at least one endpoint URL');
    for (const endpoint of endpoints.filter((candidate) => !isHttpUrl(candidate))) {
      ctx.addIssue(`invalid endpoint ${describeValue(endpoint)}; expected an http(s) URL`);
    }
    return endpoints;
  });

/** The one `storage "<type>" {...}` block (or Vault's older name, `backend`). */
export function storageSchema(unknownKeys: UnknownKeys) {
  const inmem = blockObject({}, unknownKeys).transform((): StorageConfig => ({ type: 'inmem' }));
  const file = blockObject({ path: text }, unknownKeys).transform(
    ({ path }): StorageConfig => ({ type: 'file', path }),
  );
  return z.preprocess(
    groupByLabel,
    z
      .looseObject({
        inmem: singleBlock(inmem, 'storage').optional(),
        file: singleBlock(file, 'storage').optional(),
        etcd: singleBlock(etcdSchema(unknownKeys), 'storage').optional(),
      })
      .superRefine((blocks, ctx) => {
        rejectUnsupportedLabels('storage', STORAGE_TYPES)(blocks, ctx);
        const found = Object.keys(blocks).filter((label) => STORAGE_TYPES.includes(label));
        if (found.length < 2) return;
        ctx.addIssue(`only one storage block is allowed, found ${found.join(', ')}`);
      }, EVEN_AFTER_FIELD_ERRORS)
      .transform((blocks, ctx): StorageConfig => {
        const chosen = blocks.etcd ?? blocks.file ?? blocks.inmem;
        if (chosen !== undefined) return chosen;
        ctx.addIssue(`expected a storage type: ${STORAGE_TYPES.join(', ')}`);
        return z.NEVER;
      }),
  );
}

function etcdSchema(unknownKeys: UnknownKeys) {
  return blockObject(
    {
      address: etcdEndpoints.optional(),
      path: z.string({ error: 'expected a string' }).default('/vault/'),
      ha_enabled: boolish.default(false),
      username: optionalText,
      password: optionalText,
      tls_ca_file: optionalText,
      tls_cert_file: optionalText,
      tls_key_file: optionalText,
      request_timeout: durationMs.refine((ms) => ms > 0, 'must be longer than 0s').default(5_000),
      lock_timeout: durationMs.refine((ms) => ms >= 1_000, 'must be at least 1s').default(15_000),
    },
    unknownKeys,
  )
    .superRefine((etcd, ctx) => {
      // A client certificate is useless without its key and the other way round.
      const pairs = [['tls_cert_file', 'tls_key_file'], ['tls_key_file', 'tls_cert_file']] as const;
      for (const [present, missing] of pairs) {
        if (etcd[present] === undefined || etcd[missing] !== undefined) continue;
        ctx.addIssue({ code: 'custom', path: [missing], message: `required when ${present} is set` });
      }
    }, EVEN_AFTER_FIELD_ERRORS)
    .transform(
      (etcd): EtcdStorageConfig => ({
        type: 'etcd',
        endpoints: etcd.address ?? [DEFAULT_ETCD_ENDPOINT],
        prefix: etcd.path.endsWith('/') ? etcd.path : `${etcd.path}/`,
        haEnabled: etcd.ha_enabled,
        ...ifDefined('username', etcd.username),
        ...ifDefined('password', etcd.password),
        ...ifDefined('tlsCaFile', etcd.tls_ca_file),
        ...ifDefined('tlsCertFile', etcd.tls_cert_file),
        ...ifDefined('tlsKeyFile', etcd.tls_key_file),
        requestTimeoutMs: etcd.request_timeout,
        // etcd leases count whole seconds; round up so 1.5s never becomes a shorter lease.
        lockTtlSeconds: Math.ceil(etcd.lock_timeout / 1_000),
      }),
    );
}
