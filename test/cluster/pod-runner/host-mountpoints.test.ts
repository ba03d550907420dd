import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/server-process.ts';
import { hostMountpoints } from './host-mountpoints.ts';

test('mountpoints are recorded, kept while other runners live, then removed by the last one (also a dead runner’s)', async (t) => {
  const registry = await tempDir();
  const host = await tempDir();
  t.teardown(() => Promise.all([registry.remove(), host.remove()]));
  const first = hostMountpoints(registry.path, '11');
  const killed = hostMountpoints(registry.path, '12');
  first.ensure(join(host.path, 'etc', 'app', 'config'), 'directory');
  first.ensure(join(host.path, 'etc', 'app', 'single.conf'), 'file');
  killed.ensure(join(host.path, 'var', 'run', 'secrets'), 'directory');
  first.ensure(join(host.path, 'existing'), 'directory');
  t.true(existsSync(join(host.path, 'etc', 'app', 'config')));
  t.true(existsSync(join(host.path, 'etc', 'app', 'single.conf')));

  first.cleanUp(true);
  t.true(existsSync(join(host.path, 'etc', 'app', 'config')), 'kept while another runner may have it mounted');

  writeFileSync(join(host.path, 'existing', 'keep'), 'someone else put this here');
  first.cleanUp(false);
  t.false(existsSync(join(host.path, 'etc')));
  t.false(existsSync(join(host.path, 'var')), "the killed runner's mountpoints go too");
  t.true(existsSync(join(host.path, 'existing', 'keep')), 'a directory that is not empty stays');
});
