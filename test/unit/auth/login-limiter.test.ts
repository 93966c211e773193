import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, LoginLimiter, userDelayMs } from '../../../src/auth/login-limiter.js';
import { clientKey, networkKey } from '../../../src/auth/address-prefix.js';
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
    assert.equal(limiter.attempt('Ann', B).kind, 'proceed', 'another address is not refused');
  });

  it('the limited address stays limited after the household signs in elsewhere', () => {
    const clock = new ManualClock(0);
    const limiter = new LoginLimiter(clock, LIMITS);
    fail(limiter, 'ann', A, 5);
    clock.tick(60_000);
    limiter.attempt('ann', B);
    limiter.succeeded('ann', B);
    assert.deepEqual(limiter.attempt('ann', A), { kind: 'refuse', retryAfterS: 840 });
    clock.tick(840_000);
    assert.equal(limiter.attempt('ann', A).kind, 'proceed', 'free again after the window');
  });

  it('checks a username failing from many addresses at most once per step, doubling to 30 s', () => {
    const clock = new ManualClock(0);
    const limiter = new LoginLimiter(clock, { ...LIMITS, loginWindowS: 86_400 });
    let address = 0;
    const fresh = () => limiter.attempt('ann', `10.0.0.${address++}`);
    for (let i = 0; i < 5; i++) assert.equal(fresh().kind, 'proceed', `free attempt ${i}`);
    const steps: number[] = [];
    for (let i = 0; i < 9; i++) {
      assert.equal(fresh().kind, 'proceed', `the turn after step ${i}`);
      const refused = fresh();
      assert.equal(refused.kind, 'refuse', 'a parallel guess from another address waits');
      steps.push(refused.kind === 'refuse' ? refused.retryAfterS : 0);
      const stepMs = Math.min(500 * 2 ** i, 30_000);
      clock.tick(stepMs - 1);
      assert.equal(fresh().kind, 'refuse', `still within step ${i}`);
      clock.tick(1);
    }
    assert.deepEqual(steps, [1, 1, 2, 4, 8, 16, 30, 30, 30]);
  });

  it('lets an address where the user signed in lately in at once while others wait their turn', () => {
    const clock = new ManualClock(0);
    const limiter = new LoginLimiter(clock, LIMITS);
    limiter.attempt('ann', B);
    limiter.succeeded('ann', B);
    for (let i = 0; i < 8; i++) limiter.attempt('ann', `10.0.0.${i}`);
    assert.equal(limiter.attempt('ann', '10.0.0.200').kind, 'refuse', 'a new address in their network waits');
    for (let i = 0; i < 3; i++)
      assert.equal(limiter.attempt('ann', B).kind, 'proceed', 'the household does not');
    assert.equal(limiter.attempt('bob', B).kind, 'proceed', 'another user is not throttled');
    clock.tick(31 * 24 * 3_600_000);
    for (let i = 0; i < 6; i++) limiter.attempt('ann', `192.168.1.${100 + i}`);
    assert.equal(limiter.attempt('ann', B).kind, 'refuse', 'a sign-in is remembered for 30 days only');
  });

  it('lets the household in from a new address in another network while a guesser rotates addresses', () => {
    const clock = new ManualClock(0);
    const limiter = new LoginLimiter(clock, LIMITS);
    let guesses = 0;
    let checked = 0;
    let signedInAtMs: number | undefined;
    // A guess every 50 ms, each from a new address in one of 20 /24s; the household tries every
    // 5 s from a new address in its own /24, mistyping twice first.
    for (let t = 0; t <= 600_000; t += 50) {
      const guesser = `10.0.${guesses % 20}.${Math.floor(guesses / 20) % 250}`;
      guesses++;
      if (limiter.attempt('ann', guesser).kind === 'proceed') checked++;
      if (t >= 5_000 && t % 5_000 === 0 && signedInAtMs === undefined) {
        const household = `192.168.1.${t / 5_000}`;
        if (limiter.attempt('ann', household).kind === 'proceed' && t >= 15_000) {
          limiter.succeeded('ann', household);
          signedInAtMs = t;
        }
      }
      clock.tick(50);
    }
    assert.ok(signedInAtMs !== undefined && signedInAtMs <= 60_000, `signed in at ${signedInAtMs} ms`);
    // Each /24: 5 free checks, then 0.5 s doubling to 30 s (7 steps to reach it), then one per 30 s.
    assert.ok(checked <= 20 * (5 + 7 + 600 / 30), `${checked} of ${guesses} guesses checked`);
  });

  it('spaces the checks of a rotating IPv6 guesser by its /64', () => {
    const limiter = new LoginLimiter(new ManualClock(0), LIMITS);
    for (let i = 0; i < 5; i++)
      assert.equal(limiter.attempt('ann', `2001:db8:1:2::${i + 1}`).kind, 'proceed');
    assert.equal(limiter.attempt('ann', '2001:db8:1:2:ffff::9').kind, 'proceed', 'the turn');
    assert.equal(limiter.attempt('ann', '2001:db8:1:2:abcd::7').kind, 'refuse', 'its /64 waits');
    assert.equal(limiter.attempt('ann', '2001:db8:1:3::1').kind, 'proceed', 'another /64 does not');
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

  it('keys clients by IPv4 address or IPv6 /64, networks by /24 or /64', () => {
    assert.equal(clientKey('192.168.1.66'), '192.168.1.66');
    assert.equal(clientKey('::ffff:192.168.1.66'), '192.168.1.66');
    assert.equal(clientKey('2001:db8:0:1:a:b:c:d'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(networkKey('192.168.1.66'), '192.168.1.0/24');
    assert.equal(networkKey('2001:db8:0:1:a:b:c:d'), '2001:db8:0:1::/64');
    assert.equal(networkKey('not-an-address'), 'not-an-address');
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address', () => {
    assert.equal(addressKey('::ffff:192.168.1.66'), '192.168.1.66');
    assert.equal(addressKey('fe80::1'), 'fe80::1');
    const limiter = new LoginLimiter(new ManualClock(0), LIMITS);
    fail(limiter, 'ann', '::ffff:192.168.1.66', 5);
    assert.equal(limiter.attempt('ann', A).kind, 'refuse');
  });

  it('has no spacing below the threshold', () => {
    assert.equal(userDelayMs(4, 5), 0);
    assert.equal(userDelayMs(5, 5), 500);
    assert.equal(userDelayMs(1000, 5), 30_000);
  });
});
