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
        else clock.advanceMs(Number(step) * 1000);
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

  it('stays bounded when many keys fail', () => {
    const limiter = new FailureLimiter(new ManualClock(0), 1, 60, 100);
    for (let i = 0; i < 1000; i++) limiter.recordFailure(`ip-${i}`);
    assert.equal(limiter.retryAfterS('ip-999'), 60, 'the newest key is still limited');
    assert.equal(limiter.retryAfterS('ip-0'), 0, 'the oldest keys were forgotten');
  });
});
