import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../../src/shared/clock.js';

describe('ManualClock', () => {
  it('fires timers at their own times, in time order, during one tick', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.after(300, () => fired.push(`b@${clock.nowMs()}`));
    clock.after(100, () => fired.push(`a@${clock.nowMs()}`));
    clock.every(250, () => fired.push(`i@${clock.nowMs()}`));
    clock.tick(99);
    assert.deepEqual(fired, []);
    clock.tick(601);
    assert.deepEqual(fired, ['a@1100', 'i@1250', 'b@1300', 'i@1500']);
    assert.equal(clock.nowMs(), 1700);
    assert.equal(clock.pendingTimers(), 1);
  });

  it('runs timers due at the same time in the order they were set, and one set by a timer within the tick', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.after(10, () => {
      fired.push('first');
      clock.after(5, () => fired.push(`nested@${clock.nowMs()}`));
    });
    clock.after(10, () => fired.push('second'));
    clock.tick(20);
    assert.deepEqual(fired, ['first', 'second', 'nested@15']);
  });

  it('cancels: a cancelled timer never fires and cancelling twice is harmless', () => {
    const clock = new ManualClock(0);
    let count = 0;
    const cancelOnce = clock.after(10, () => count++);
    const cancelEvery = clock.every(10, () => count++);
    clock.tick(10);
    assert.equal(count, 2);
    cancelOnce();
    cancelEvery();
    cancelEvery();
    clock.tick(100);
    assert.equal(count, 2);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('jump fires each due timer once and resumes intervals from the new time', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.every(10, () => fired.push(`i@${clock.nowMs()}`));
    clock.after(50, () => fired.push(`o@${clock.nowMs()}`));
    clock.after(5000, () => fired.push('later'));
    clock.jump(1000);
    assert.deepEqual(fired, ['i@1000', 'o@1000']);
    clock.tick(10);
    assert.deepEqual(fired, ['i@1000', 'o@1000', 'i@1010']);
    assert.equal(clock.pendingTimers(), 2);
  });

  it('sleep resolves when the clock passes its time', async () => {
    const clock = new ManualClock(0);
    let done = false;
    const slept = clock.sleep(100).then(() => (done = true));
    await clock.tickAsync(99);
    assert.equal(done, false);
    clock.tick(1);
    await slept;
    assert.equal(done, true);
  });
});

describe('systemClock', () => {
  it('fires after and every on real time, and cancels', async () => {
    let fired = 0;
    const cancel = systemClock.every(5, () => fired++);
    await systemClock.sleep(30);
    cancel();
    const seen = fired;
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(seen >= 1, `the interval fired ${seen} times in 30 ms`);
    assert.equal(fired, seen);
  });
});
