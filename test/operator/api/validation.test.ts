import test from 'ava';
import { validateSpec } from '../../../src/operator/api/validation.ts';
import type { VaultCluster } from '../../../src/operator/api/vault-cluster.ts';
import { vaultCluster } from '../fixtures.ts';

test('a default spec is valid', (t) => {
  t.deepEqual(validateSpec(vaultCluster()), { errors: [], warnings: [] });
});

test('threshold above shares, no replicas, no etcd endpoints and unknown storage are errors naming the field', (t) => {
  t.deepEqual(validateSpec(vaultCluster({ unseal: { secretShares: 2, secretThreshold: 3 } })).errors, ['spec.unseal.secretThreshold: 3 is greater than secretShares (2)']);
  t.deepEqual(validateSpec(vaultCluster({ replicas: 0 })).errors, ['spec.replicas: must be at least 1, got 0']);
  const noEndpoints = vaultCluster();
  noEndpoints.spec.storage.etcd.endpoints = [];
  t.deepEqual(validateSpec(noEndpoints).errors, ['spec.storage.etcd.endpoints: at least one endpoint is required']);
  const fileStorage = { ...vaultCluster(), spec: { ...vaultCluster().spec, storage: { file: { path: '/x' } } } } as unknown as VaultCluster;
  t.deepEqual(validateSpec(fileStorage).errors, ['spec.storage: unsupported storage file; only etcd is supported']);
});

test('keys the operator owns in spec.config are warned about, not errors', (t) => {
  const problems = validateSpec(vaultCluster({ config: { storage: { inmem: {} }, ui: true } }));
  t.deepEqual(problems.errors, []);
  t.deepEqual(problems.warnings, ['spec.config.storage: set by the operator; this value is ignored']);
});
