import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PasswordChecksBusyError, RateLimitedError } from '../../../src/auth/auth-errors.js';
import { hashPassword } from '../../../src/auth/credentials.js';
import { PasswordHasher, type PasswordKdf } from '../../../src/auth/password-hasher.js';

/** A key derivation whose every call waits until the test settles it, in call order. */
function heldKdf() {
  const calls: { password: string; settle: (ok: boolean) => void; fail: (err: Error) => void }[] = [];
  let running = 0;
  let maxRunning = 0;
  const call = <T>(password: string, value: (ok: boolean) => T) =>
    new Promise<T>((resolve, reject) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls.push({
        password,
        settle: (ok) => {
          running--;
          resolve(value(ok));
        },
        fail: (err) => {
          running--;
          reject(err);
        },
      });
    });
  const kdf: PasswordKdf = {
    hash: (password) => call(password, () => `hash-of-${password}`),
    verify: (password) => call(password, (ok) => ok),
  };
  return { kdf, calls, maxRunning: () => maxRunning };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('PasswordHasher', () => {
  it('runs one check at a time, in the order they came', async () => {
    const { kdf, calls, maxRunning } = heldKdf();
    const hasher = new PasswordHasher(8, kdf);
    const results = ['a', 'b', 'c'].map((p) => hasher.verify(p, `stored-${p}`));
    await settled();
    assert.deepEqual(
      calls.map((c) => c.password),
      ['a'],
      'the second waits for the first',
    );
    calls[0]!.settle(true);
    await settled();
    assert.deepEqual(
      calls.map((c) => c.password),
      ['a', 'b'],
    );
    calls[1]!.settle(false);
    await settled();
    calls[2]!.settle(true);
    assert.deepEqual(await Promise.all(results), [true, false, true]);
    assert.equal(maxRunning(), 1);
    assert.equal(hasher.status().detail?.checked, 3);
  });

  it('refuses a check that finds the running one and all waiting places taken, and counts it', async () => {
    const { kdf, calls } = heldKdf();
    const hasher = new PasswordHasher(2, kdf);
    const admitted = [hasher.hash('one'), hasher.verify('two', 'x'), hasher.verify('three', undefined)];
    assert.throws(
      () => hasher.verify('four', 'x'),
      (err: unknown) =>
        err instanceof PasswordChecksBusyError &&
        err instanceof RateLimitedError &&
        err.status === 503 &&
        err.code === 'busy' &&
        err.retryAfterS === 1 &&
        /too many passwords at once; try again in 1 s/.test(err.message),
    );
    assert.throws(() => hasher.ensureRoom(), PasswordChecksBusyError);
    assert.deepEqual(hasher.status(), {
      state: 'ready',
      detail: { inProgress: 3, maxWaiting: 2, checked: 0, refusedBusy: 2 },
    });

    await settled();
    calls[0]!.settle(true);
    await settled();
    assert.doesNotThrow(() => hasher.ensureRoom(), 'a place is free again once the first is done');
    calls[1]!.settle(true);
    await settled();
    calls[2]!.settle(true);
    assert.deepEqual(await Promise.all(admitted), ['hash-of-one', true, false]);
    assert.equal(calls.length, 3, 'the refused check never ran');
    assert.equal(hasher.status().detail?.inProgress, 0);
  });

  it('hashes for an unknown user as for a known one, and answers false', async () => {
    const { kdf, calls } = heldKdf();
    const hasher = new PasswordHasher(8, kdf);
    const answer = hasher.verify('guess', undefined);
    await settled();
    assert.equal(calls.length, 1, 'the same key derivation runs');
    calls[0]!.settle(true);
    assert.equal(await answer, false);
  });

  it('goes on with the next check after one fails', async () => {
    const { kdf, calls } = heldKdf();
    const hasher = new PasswordHasher(8, kdf);
    const first = hasher.verify('a', 'x');
    const second = hasher.verify('b', 'x');
    await settled();
    calls[0]!.fail(new Error('out of memory'));
    await assert.rejects(first, /out of memory/);
    await settled();
    calls[1]!.settle(true);
    assert.equal(await second, true);
    assert.equal(hasher.status().detail?.inProgress, 0);
  });

  it('checks real scrypt hashes', async () => {
    const hasher = new PasswordHasher();
    const stored = await hasher.hash('correct horse');
    assert.match(stored, /^scrypt\$32768\$8\$1\$/);
    assert.equal(await hasher.verify('correct horse', stored), true);
    assert.equal(await hasher.verify('correct hors', stored), false);
    assert.equal(await hasher.verify('correct horse', undefined), false);
    assert.equal(await hasher.verify('correct horse', await hashPassword('other')), false);
  });
});
