import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginLimiter } from '../../../src/auth/login-limiter.js';
import { authMigrations } from '../../../src/auth/migrations.js';
import type { SignIn } from '../../../src/auth/ports.js';
import { SqliteSignInRepo } from '../../../src/auth/sign-in-repo.sqlite.js';
import { migrate, openDatabase } from '../../../src/db/database.sqlite.js';
import { ManualClock } from '../../../src/shared/clock.js';

const LIMITS = { loginFailuresPerUser: 5, loginFailuresPerIp: 20, loginWindowS: 900 };
const DAY_MS = 24 * 3_600_000;

function signInStore() {
  const db = openDatabase(':memory:');
  migrate(db, authMigrations);
  const repo = new SqliteSignInRepo(db);
  const saved: SignIn[] = [];
  const store = {
    save: (s: SignIn) => (saved.push(s), repo.save(s)),
    newest: (limit: number) => repo.newest(limit),
    deleteBefore: (ms: number) => repo.deleteBefore(ms),
  };
  return { store, saved };
}

/** Guesses from `network`.1.. until the next new address in that network is refused. */
function guessUntilThrottled(limiter: LoginLimiter, network: string): void {
  for (let i = 1; i <= 6; i++) limiter.attempt('ann', `${network}.${i}`);
  assert.equal(limiter.attempt('ann', `${network}.99`).kind, 'refuse', 'the network is throttled');
}

describe('recent sign-ins in SQLite', () => {
  it('an address that signed in before a restart is still exempt after it', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 24));
    const { store } = signInStore();
    const before = new LoginLimiter(clock, LIMITS, store);
    assert.equal(before.attempt('Ann', '192.168.1.10').kind, 'proceed');
    before.succeeded('Ann', '192.168.1.10');

    clock.tick(DAY_MS);
    const after = new LoginLimiter(clock, LIMITS, store);
    guessUntilThrottled(after, '192.168.1');
    assert.equal(after.attempt('ann', '192.168.1.10').kind, 'proceed', 'the household is exempt');
    assert.equal(after.attempt('ann', '::ffff:192.168.1.10').kind, 'proceed', 'also over dual-stack');
  });

  it('remembers an IPv6 sign-in for its whole /64', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 24));
    const { store } = signInStore();
    const before = new LoginLimiter(clock, LIMITS, store);
    before.attempt('ann', '2001:db8:1:2::10');
    before.succeeded('ann', '2001:db8:1:2::10');
    const after = new LoginLimiter(clock, LIMITS, store);
    for (let i = 1; i <= 6; i++) after.attempt('ann', `2001:db8:1:2:${i}::1`);
    assert.equal(after.attempt('ann', '2001:db8:1:2:abcd::1').kind, 'proceed', 'a new privacy address');
  });

  it('writes a sign-in the first time and then at most once a day, and forgets it after 30 days', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 24));
    const { store, saved } = signInStore();
    const limiter = new LoginLimiter(clock, LIMITS, store);
    for (let i = 0; i < 48; i++) {
      limiter.attempt('ann', '192.168.1.10');
      limiter.succeeded('ann', '192.168.1.10');
      clock.tick(3_600_000);
    }
    assert.equal(saved.length, 2, 'two days of hourly sign-ins, two writes');

    clock.tick(31 * DAY_MS);
    const later = new LoginLimiter(clock, LIMITS, store);
    guessUntilThrottled(later, '192.168.1');
    assert.equal(later.attempt('ann', '192.168.1.10').kind, 'refuse', 'no longer exempt');
    assert.deepEqual(store.newest(10), [], 'the old row is deleted');
  });
});
