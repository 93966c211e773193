import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { planSdNotify, startSdNotify } from '../../../src/shared/sd-notify.js';

const PID = 4242;

function harness(env: Record<string, string | undefined>) {
  const clock = new ManualClock(0);
  const sent: { atMs: number; states: string[] }[] = [];
  const errors: unknown[] = [];
  let ready = false;
  const plan = planSdNotify(env, PID);
  assert.ok(plan, 'a plan under Type=notify');
  const stop = startSdNotify({
    plan,
    clock,
    isReady: () => ready,
    send: async (states) => {
      if (states.includes('WATCHDOG=1') && env.FAIL_WATCHDOG) throw new Error('socket gone');
      sent.push({ atMs: clock.nowMs(), states });
    },
    onError: (err) => errors.push(err),
  });
  return { clock, sent, errors, stop, setReady: (value: boolean) => (ready = value) };
}

describe('sd_notify for hubd.service', () => {
  it('does nothing outside Type=notify', () => {
    assert.equal(planSdNotify({}, PID), undefined);
  });

  it('feeds the watchdog at half WATCHDOG_USEC, only when the watchdog is this process', () => {
    assert.equal(
      planSdNotify({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '60000000' }, PID)?.watchdogEveryMs,
      30_000,
    );
    const env = { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '60000000', WATCHDOG_PID: String(PID) };
    assert.equal(planSdNotify(env, PID)?.watchdogEveryMs, 30_000);
    assert.equal(planSdNotify({ ...env, WATCHDOG_PID: '1' }, PID)?.watchdogEveryMs, undefined);
    assert.equal(planSdNotify({ NOTIFY_SOCKET: '/run/n' }, PID)?.watchdogEveryMs, undefined);
  });

  it('sends READY=1 once, when the hub first reports ready, and WATCHDOG=1 meanwhile', async () => {
    const h = harness({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '10000000' });
    await h.clock.tickAsync(3000);
    assert.deepEqual(h.sent, [], 'not ready, no watchdog interval yet');
    await h.clock.tickAsync(2000);
    assert.deepEqual(h.sent, [{ atMs: 5000, states: ['WATCHDOG=1'] }]);
    h.setReady(true);
    await h.clock.tickAsync(1000);
    h.setReady(false);
    await h.clock.tickAsync(4000);
    h.setReady(true);
    await h.clock.tickAsync(2000);
    assert.deepEqual(h.sent, [
      { atMs: 5000, states: ['WATCHDOG=1'] },
      { atMs: 6000, states: ['READY=1', 'STATUS=ready'] },
      { atMs: 10_000, states: ['WATCHDOG=1'] },
    ]);
    h.stop();
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it('sends READY=1 at once when the hub is ready at start', () => {
    const clock = new ManualClock(0);
    const sent: string[][] = [];
    const stop = startSdNotify({
      plan: planSdNotify({ NOTIFY_SOCKET: '/run/n' }, PID)!,
      clock,
      isReady: () => true,
      send: async (states) => void sent.push(states),
      onError: () => undefined,
    });
    assert.deepEqual(sent, [['READY=1', 'STATUS=ready']]);
    stop();
    assert.equal(clock.pendingTimers(), 0);
  });

  it('reports a failed send and keeps going', async () => {
    const h = harness({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '2000000', FAIL_WATCHDOG: '1' });
    await h.clock.tickAsync(2000);
    assert.equal(h.errors.length, 2);
    assert.match(String(h.errors[0]), /socket gone/);
    h.stop();
  });
});
