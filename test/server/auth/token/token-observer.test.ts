import test from 'ava';
import type { TokenEntry } from '../../../../src/server/auth/token/token-entry.ts';
import type { TokenObserver, TokenSource } from '../../../../src/server/auth/token/token-store.ts';
import { tokenHarness } from './token-harness.ts';

class RecordingObserver implements TokenObserver {
  readonly created: Array<{ ttl: number; source: TokenSource }> = [];
  expired = 0;

  tokenCreated(entry: TokenEntry, source: TokenSource): void {
    this.created.push({ ttl: entry.ttl, source });
  }

  tokenExpired(): void {
    this.expired += 1;
  }
}

test('the observer hears of each token created, with its source, and of each one revoked for expiring', async (t) => {
  const h = await tokenHarness();
  const observer = new RecordingObserver();
  h.store.observe(observer);
  const before = await h.store.count();

  await h.createToken(h.rootToken, { ttl: '1m' });
  await h.createToken(h.rootToken, { ttl: '1h' });
  t.deepEqual(observer.created, [
    { ttl: 60, source: { authMethod: 'token', mountPoint: 'auth/token/' } },
    { ttl: 3_600, source: { authMethod: 'token', mountPoint: 'auth/token/' } },
  ]);
  t.is(await h.store.count(), before + 2);

  h.advance(61);
  t.is(await h.store.revokeExpired(h.clock.ms), 1);
  t.is(observer.expired, 1);
  t.is(await h.store.count(), before + 1);
});
