import test from 'ava';
import { matchesPathList } from '../../../src/server/logical/path-patterns.ts';
import { SYS_ROOT_PATHS } from '../../../src/server/system/sys-root-paths.ts';

const NEEDS_SUDO = [
  'auth/userpass',
  'auth/userpass/tune',
  'audit',
  'audit/file',
  'raw/core/keyring',
  'remount',
  'rotate',
  'seal',
  'step-down',
  'leases',
  'leases/lookup/',
  'leases/revoke-prefix/secret/',
  'revoke-force/secret/',
  'config/cors',
  'config/auditing/request-headers/x',
  'plugins/catalog/secret/kv',
];

const NO_SUDO = ['auth', 'mounts', 'mounts/secret', 'policy/x', 'policies/acl/x', 'rotate/config', 'key-status', 'rekey/backup', 'leases/lookup', 'capabilities-self'];

for (const path of NEEDS_SUDO) {
  test(`sys/${path} needs sudo`, (t) => {
    t.true(matchesPathList(path, SYS_ROOT_PATHS));
  });
}

for (const path of NO_SUDO) {
  test(`sys/${path} needs no sudo`, (t) => {
    t.false(matchesPathList(path, SYS_ROOT_PATHS));
  });
}
