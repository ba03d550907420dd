import test from 'ava';
import { isSubset } from '../../../src/operator/kube/subset.ts';
import { withSpecHash } from '../../../src/operator/reconcile/apply-child.ts';

test('fields the server adds do not count; a changed or missing field does', (t) => {
  const desired = { spec: { ports: [{ name: 'api', port: 8200 }], selector: { a: 'b' } } };
  t.true(isSubset(desired, { spec: { ports: [{ name: 'api', port: 8200, protocol: 'TCP' }], selector: { a: 'b' }, clusterIP: '10.0.0.1' }, status: {} }));
  t.false(isSubset(desired, { spec: { ports: [{ name: 'api', port: 8201 }], selector: { a: 'b' } } }));
  t.false(isSubset(desired, { spec: { ports: [], selector: { a: 'b' } } }));
  t.false(isSubset(desired, { spec: { ports: [{ name: 'api', port: 8200 }, { name: 'x', port: 1 }], selector: { a: 'b' } } }));
  t.false(isSubset(desired, { spec: { ports: [{ name: 'api', port: 8200 }] } }));
});

test('removing a field from the desired object changes its hash, so the removal is applied', (t) => {
  const withTolerations = withSpecHash({ apiVersion: 'v1', kind: 'X', metadata: { name: 'a' }, spec: { tolerations: [{ key: 'k' }] } });
  const without = withSpecHash({ apiVersion: 'v1', kind: 'X', metadata: { name: 'a' }, spec: {} });
  t.false(isSubset(without, withTolerations));
  t.true(isSubset(withTolerations, withTolerations));
});
