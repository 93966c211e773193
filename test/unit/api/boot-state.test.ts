import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withinBudget } from '../../../src/api/boot-state.js';
import { ManualClock } from '../../../src/shared/clock.js';

describe('the boot state within its budget', () => {
  it('gives up when the work takes longer than the budget', async () => {
    const clock = new ManualClock(0);
    const result = withinBudget(clock, 500, new Promise<string>(() => undefined));
    clock.tick(499);
    const early = await Promise.race([result, Promise.resolve('still waiting')]);
    assert.equal(early, 'still waiting');
    clock.tick(1);
    assert.equal(await result, undefined);
  });

  it('gives the answer that comes in time and leaves no timer behind', async () => {
    const clock = new ManualClock(0);
    assert.equal(await withinBudget(clock, 500, Promise.resolve('state')), 'state');
    assert.equal(clock.pendingTimers(), 0);
  });

  it('passes a failure on, without a timer left', async () => {
    const clock = new ManualClock(0);
    await assert.rejects(withinBudget(clock, 500, Promise.reject(new Error('store down'))), /store down/);
    assert.equal(clock.pendingTimers(), 0);
  });
});
