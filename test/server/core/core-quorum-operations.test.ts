import test from 'ava';
import { isSealboxError } from '../../../src/lib/errors.ts';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { Core } from '../../../src/server/core/core.ts';
import { ShamirSeal } from '../../../src/server/core/shamir-seal.ts';
import { secretEngineFactories } from '../../../src/server/engines/registry.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import { BUILD_INFO } from '../../../src/server/version.ts';
import { silentLogger } from './quorum-fixture.ts';

async function unsealedCore() {
  const physical = new InmemBackend();
  const core = new Core({
    barrier: new AesGcmBarrier(physical),
    seal: new ShamirSeal(physical),
    storageType: physical.type,
    build: BUILD_INFO,
    logger: silentLogger,
    factories: secretEngineFactories(),
  });
  const init = await core.initialize({ secretShares: 3, secretThreshold: 2 });
  for (const key of init.keys.slice(0, 2)) await core.submitUnsealKey(key, false);
  return { core, init };
}

function sealRequest(clientToken: string) {
  return { id: 'seal', operation: 'update' as const, path: 'sys/seal', data: {}, clientToken, remoteAddress: '127.0.0.1', remotePort: 0 };
}

test('quorum operations are refused while sealed, with Vault\'s 503', async (t) => {
  const { core, init } = await unsealedCore();
  await core.seal(sealRequest(init.root_token));
  const rekey = await core.rekey((operation) => operation.status()).catch((error: unknown) => error);
  t.true(isSealboxError(rekey, 'sealed'));
  const generate = await core.generateRoot((operation) => operation.status()).catch((error: unknown) => error);
  t.true(isSealboxError(generate, 'sealed'));
});

test('sealing forgets rekey and generate-root progress', async (t) => {
  const { core, init } = await unsealedCore();
  const rekey = await core.rekey((operation) => operation.start({ secretShares: 2, secretThreshold: 2 }));
  await core.rekey((operation) => operation.update(init.keys[0], rekey.nonce));
  const generate = await core.generateRoot((operation) => operation.start(undefined, undefined));
  await core.generateRoot((operation) => operation.update(init.keys[1], generate.nonce));

  await core.seal(sealRequest(init.root_token));
  for (const key of init.keys.slice(1)) await core.submitUnsealKey(key, false);
  t.like(await core.rekey((operation) => operation.status()), { started: false, progress: 0 });
  t.like(await core.generateRoot((operation) => operation.status()), { started: false, progress: 0 });
});

test('a generated root token is issued by the unsealed node\'s token store', async (t) => {
  const { core, init } = await unsealedCore();
  const started = await core.generateRoot((operation) => operation.start(undefined, undefined));
  await core.generateRoot((operation) => operation.update(init.keys[2], started.nonce));
  const done = await core.generateRoot((operation) => operation.update(init.keys[0], started.nonce));
  const bytes = Buffer.from(done.encoded_token, 'base64');
  const token = Buffer.from(bytes.map((byte, index) => byte ^ started.otp.charCodeAt(index))).toString('utf8');
  const response = await core.handleRequest({
    id: 'r1',
    operation: 'read',
    path: 'auth/token/lookup-self',
    data: {},
    clientToken: token,
    remoteAddress: '127.0.0.1',
    remotePort: 1,
  });
  t.deepEqual(response.response?.data?.['policies'], ['root']);
});
