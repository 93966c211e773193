import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, LoginLimiter, userDelayMs } from '../../../src/auth/login-limiter.js';
import { ManualClock } from '../../../src/shared/clock.js';

const LIMITS = { loginFailuresPerUser: 5, loginFailuresPerIp: 20, loginWindowS: 900 };
const A = '192.168.1.66';
const B = '192.168.1.10';

/** `n` wrong passwords for `user` from `address`, each one allowed to run. */
function fail(limiter: LoginLimiter, user: string, address: string, n: number): void {
  for (let i = 0; i < n; i++) assert.equal(limiter.attempt(user, address).kind, 'proceed');
}

describe('LoginLimiter', () => {
  it("a neighbour's five wrong guesses lock out only that neighbour's address", () => {
    const limiter = new LoginLimiter(new ManualClock(0), LIMITS);
    fail(limiter, 'ann', A, 5);
    assert.deepEqual(limiter.attempt('ann', A), { kind: 'refuse', retryAfterS: 900 });
    const fromB = limiter.attempt('Ann', B);
    assert.equal(fromB.kind, 'proceed', 'the household is not refused');
    assert.ok(fromB.kind === 'proceed' && fromB.delayMs > 0 && fromB.delayMs <= 3000, 'only slowed');
  });

  it('the limited address stays limited after the household signs in elsewhere', () => {
    const clock = new ManualClock(0);
    const limiter = new LoginLimiter(clock, LIMITS);
    fail(limiter, 'ann', A, 5);
    clock.advanceMs(60_000);
    limiter.attempt('ann', B);
    limiter.succeeded('ann', B);
    assert.deepEqual(limiter.attempt('ann', A), { kind: 'refuse', retryAfterS: 840 });
    clock.advanceMs(840_000);
    assert.equal(limiter.attempt('ann', A).kind, 'proceed', 'free again after the window');
  });

  it('slows a username failing from many addresses, doubling to a cap, and never refuses it', () => {
    const limiter = new LoginLimiter(new ManualClock(0), LIMITS);
    const delays: number[] = [];
    for (let i = 0; i < 40; i++) {
      const verdict = limiter.attempt('ann', `10.0.0.${i}`);
      assert.equal(verdict.kind, 'proceed', `attempt ${i} from a fresh address`);
      if (verdict.kind === 'proceed') delays.push(verdict.delayMs);
    }
    assert.deepEqual(delays.slice(0, 9), [0, 0, 0, 0, 0, 500, 1000, 2000, 3000]);
    assert.equal(Math.max(...delays), 3000);
  });

  it('an address trying many usernames is refused at the per-address limit', () => {
    const limiter = new LoginLimiter(new ManualClock(0), { ...LIMITS, loginFailuresPerIp: 3 });
    for (const name of ['a1', 'a2', 'a3']) fail(limiter, name, A, 1);
    assert.deepEqual(limiter.attempt('a4', A), { kind: 'refuse', retryAfterS: 900 });
    assert.equal(limiter.attempt('a4', B).kind, 'proceed');
  });

  it('counts an attempt before its password is checked, so parallel guesses cannot pass the limit', () => {
    const limiter = new LoginLimiter(new ManualClock(0), LIMITS);
    const verdicts = Array.from({ length: 8 }, () => limiter.attempt('ann', A).kind);
    assert.deepEqual(verdicts, [
      'proceed',
      'proceed',
      'proceed',
      'proceed',
      'proceed',
      'refuse',
      'refuse',
      'refuse',
    ]);
  });

  it('a right password takes its own attempt back and clears its pair', () => {
    const limiter = new LoginLimiter(new ManualClock(0), LIMITS);
    fail(limiter, 'ann', B, 4);
    limiter.attempt('ann', B);
    limiter.succeeded('ann', B);
    fail(limiter, 'ann', B, 4);
    assert.equal(limiter.attempt('ann', B).kind, 'proceed', 'the pair started afresh');
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address', () => {
    assert.equal(addressKey('::ffff:192.168.1.66'), '192.168.1.66');
    assert.equal(addressKey('fe80::1'), 'fe80::1');
    const limiter = new LoginLimiter(new ManualClock(0), LIMITS);
    fail(limiter, 'ann', '::ffff:192.168.1.66', 5);
    assert.equal(limiter.attempt('ann', A).kind, 'refuse');
  });

  it('has no delay below the threshold', () => {
    assert.equal(userDelayMs(4, 5), 0);
    assert.equal(userDelayMs(5, 5), 500);
    assert.equal(userDelayMs(1000, 5), 3000);
  });
});
