import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FailureLimiter } from '../../../src/auth/rate-limiter.js';
import { ManualClock } from '../../../src/shared/clock.js';

describe('FailureLimiter', () => {
  const scenarios: { name: string; steps: (string | number)[]; expectRetryS: number }[] = [
    { name: 'below the limit: may try', steps: ['fail', 'fail'], expectRetryS: 0 },
    {
      name: 'at the limit: must wait the rest of the window',
      steps: ['fail', 'fail', 'fail'],
      expectRetryS: 60,
    },
    {
      name: 'limit reached 20 s into the window: 40 s to wait',
      steps: ['fail', 20, 'fail', 'fail'],
      expectRetryS: 40,
    },
    { name: 'after the window: may try again', steps: ['fail', 'fail', 'fail', 60], expectRetryS: 0 },
    { name: 'a reset clears the failures', steps: ['fail', 'fail', 'reset', 'fail'], expectRetryS: 0 },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      const clock = new ManualClock(1_000_000);
      const limiter = new FailureLimiter(clock, 3, 60);
      for (const step of s.steps) {
        if (step === 'fail') limiter.recordFailure('k');
        else if (step === 'reset') limiter.reset('k');
        else clock.tick(Number(step) * 1000);
      }
      assert.equal(limiter.retryAfterS('k'), s.expectRetryS);
    });
  }

  it('keeps keys apart', () => {
    const limiter = new FailureLimiter(new ManualClock(0), 1, 60);
    limiter.recordFailure('a');
    assert.equal(limiter.retryAfterS('a'), 60);
    assert.equal(limiter.retryAfterS('b'), 0);
  });

  it('stays bounded when many keys fail, and a lock cannot be flushed by failing under other keys', () => {
    const limiter = new FailureLimiter(new ManualClock(0), 2, 60, 100);
    limiter.recordFailure('attacker');
    limiter.recordFailure('attacker');
    for (let i = 0; i < 1000; i++) limiter.recordFailure(`ip-${i}`);
    assert.equal(limiter.size, 100);
    assert.equal(limiter.retryAfterS('attacker'), 60, 'the lock holds');
    limiter.recordFailure('ip-999');
    assert.equal(limiter.retryAfterS('ip-999'), 60, 'the newest key is counted');
  });

  it('when full, drops expired windows first, then the fewest failures, then the oldest', () => {
    const clock = new ManualClock(0);
    const limiter = new FailureLimiter(clock, 3, 60, 3);
    limiter.recordFailure('old');
    clock.tick(30_000);
    for (const key of ['two', 'two', 'one-a', 'one-b']) limiter.recordFailure(key);
    assert.equal(limiter.failures('old'), 0, 'the fourth key pushed out the oldest of the single failures');
    clock.tick(30_000); // nothing expired yet: 'two' and the others began at 30 s
    limiter.recordFailure('new');
    assert.deepEqual(
      ['two', 'one-a', 'one-b', 'new'].map((k) => limiter.failures(k)),
      [2, 0, 1, 1],
    );
  });

  it('does not count a new key when every window held is locked, and expiry frees room', () => {
    const clock = new ManualClock(0);
    const limiter = new FailureLimiter(clock, 1, 60, 2);
    limiter.recordFailure('a');
    limiter.recordFailure('b');
    limiter.recordFailure('c');
    assert.deepEqual(
      ['a', 'b', 'c'].map((k) => limiter.retryAfterS(k)),
      [60, 60, 0],
    );
    clock.tick(60_000);
    limiter.recordFailure('c');
    assert.equal(limiter.retryAfterS('c'), 60);
    assert.equal(limiter.size, 1, 'the expired windows went');
  });
});
