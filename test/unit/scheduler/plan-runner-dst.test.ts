import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlanRunner, type RunnerSignal } from '../../../src/scheduler/plan-runner.js';
import type { Schedule } from '../../../src/scheduler/schedule.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import { silentLog } from '../../../src/shared/logger.js';

// The plan runner over the nights the clocks change in Europe/London, with a simulated plug: the
// period before "ready by 07:00" has 25 hours on 25 October 2026 and 23 on 29 March 2026; the
// device is on exactly in the cheapest half hours by real (UTC) time, never after 07:00 local,
// and its run time is counted in real seconds (3 h over the repeated hour is 10 800 s, though the
// clock face shows 2 h).
const HALF_HOUR_S = 1800;
const at = (iso: string) => Date.parse(iso) / 1000;
const hhmm = (s: number) => new Date(s * 1000).toISOString().slice(11, 16);

/** Half hours from `startIso` for 24 h at 30p, with the given UTC half hours at their own prices. */
function signalFrom(startIso: string, prices: Record<string, number>): RunnerSignal {
  const startS = at(startIso);
  const values = Array.from({ length: 48 }, () => 30);
  for (const [iso, price] of Object.entries(prices)) values[(at(iso) - startS) / HALF_HOUR_S] = price;
  return {
    startS,
    intervalS: HALF_HOUR_S,
    values,
    optimise: 'min',
    unit: 'p/kWh',
    source: 'gateway:gw',
    receivedAtS: startS,
  };
}

const smart = (interruptible: boolean): Schedule => ({
  mode: 'smart',
  smart: {
    readyBy: '07:00',
    runMinutes: 180,
    interruptible,
    minOnMinutes: 0,
    minGapMinutes: 0,
    repeat: [0, 1, 2, 3, 4, 5, 6],
    onceDate: null,
    energyKWh: null,
    rangeKm: null,
    whPerKm: 170,
    powerW: null,
  },
});

/** The runner and one plug from `startIso` (UTC), the signal served from the current slot on. */
function setup(startIso: string, schedule: Schedule, full: RunnerSignal) {
  const clock = new ManualClock(Date.parse(startIso));
  const bus = new EventBus(silentLog);
  const plug = { on: false };
  /** The plug's on-runs by real time (epoch seconds). */
  const runs: { startS: number; endS: number | null }[] = [];
  const nowS = () => clock.nowMs() / 1000;
  const runner = new PlanRunner({
    schedules: { all: () => [{ deviceId: 1, schedule, updatedAtMs: clock.nowMs() }] },
    signal: () => {
      const skip = Math.max(0, Math.floor((nowS() - full.startS) / full.intervalS));
      return { ...full, startS: full.startS + skip * full.intervalS, values: full.values.slice(skip) };
    },
    devices: {
      state: () => ({ on: plug.on, powerW: plug.on ? 2000 : 0, online: true }),
      switchTo: async (_id, on) => {
        plug.on = on;
        if (on) runs.push({ startS: nowS(), endS: null });
        else runs.at(-1)!.endS = nowS();
        bus.emit('device.state.changed', { deviceId: 1 });
        return { confirmed: true, reason: null };
      },
    },
    bus,
    clock,
    log: silentLog,
    settings: {
      timeZone: 'Europe/London',
      tickMs: 30_000,
      replanMs: 15 * 60_000,
      defaultPowerW: 2000,
      householdLimitW: null,
    },
  });
  return {
    runner,
    view: () => runner.view(1)!,
    /** To `iso` in the runner's 30 s ticks, letting each switch settle. */
    advanceTo: async (iso: string) => {
      while (clock.nowMs() < Date.parse(iso)) {
        clock.tick(Math.min(30_000, Date.parse(iso) - clock.nowMs()));
        await new Promise((r) => setImmediate(r));
      }
    },
    shown: () => runs.map((r) => `${hhmm(r.startS)}–${r.endS === null ? '…' : hhmm(r.endS)}`),
    ranS: () => runs.reduce((sum, r) => sum + ((r.endS ?? nowS()) - r.startS), 0),
  };
}

describe('the plan runner over the autumn night of 25 hours (Europe/London, 25 October 2026)', () => {
  // 17:00 BST on Saturday; ready by 07:00 GMT on Sunday = 07:00Z, 25 h after 07:00 BST on Saturday.
  // Cheapest after the ready-by (07:00Z): a plan that took 07:00 BST (06:00Z) or clock-face hours
  // would place the run elsewhere.
  const START = '2026-10-24T16:00:00Z';

  it('runs "ready by 07:00, 3 h in one go" over the repeated hour: 3 real hours, 2 on the clock face', async () => {
    const prices: Record<string, number> = { '2026-10-25T07:00:00Z': 1, '2026-10-25T07:30:00Z': 1 };
    // 00:30Z–03:30Z (01:30 BST to 03:30 GMT): the cheapest 3 h; 04:00Z–06:00Z a little dearer.
    for (let s = at('2026-10-25T00:30:00Z'); s < at('2026-10-25T03:30:00Z'); s += HALF_HOUR_S)
      prices[new Date(s * 1000).toISOString().replace('.000', '')] = 5;
    for (let s = at('2026-10-25T04:00:00Z'); s < at('2026-10-25T07:00:00Z'); s += HALF_HOUR_S)
      prices[new Date(s * 1000).toISOString().replace('.000', '')] = 6;
    const t = setup(START, smart(false), signalFrom(START, prices));
    await t.runner.start();
    const period = t.view().period!;
    assert.equal(period.readyByS, at('2026-10-25T07:00:00Z'), 'ready by 07:00 GMT');
    assert.equal(period.readyByS - period.previousS, 25 * 3600, 'a period of 25 hours');
    assert.deepEqual(t.view().plan?.intervals, [
      { startS: at('2026-10-25T00:30:00Z'), endS: at('2026-10-25T03:30:00Z') },
    ]);
    await t.advanceTo('2026-10-25T07:30:00Z');
    assert.deepEqual(t.shown(), ['00:30–03:30']);
    assert.equal(t.ranS(), 10_800);
    await t.runner.stop();
  });

  it('runs an interruptible 3 h in the six cheapest half hours by UTC, none after 07:00 GMT', async () => {
    const cheap = ['2026-10-24T23:00:00Z', '2026-10-25T00:00:00Z', '2026-10-25T01:00:00Z'];
    cheap.push('2026-10-25T01:30:00Z', '2026-10-25T05:00:00Z', '2026-10-25T06:30:00Z');
    const prices: Record<string, number> = Object.fromEntries(cheap.map((iso, i) => [iso, 2 + i / 10]));
    Object.assign(prices, { '2026-10-25T07:00:00Z': 1, '2026-10-25T02:00:00Z': 9 });
    const t = setup(START, smart(true), signalFrom(START, prices));
    await t.runner.start();
    await t.advanceTo('2026-10-25T07:30:00Z');
    // 01:00Z–02:00Z is 02:00 BST then 01:00–02:00 GMT: two cheap half hours, one run.
    assert.deepEqual(t.shown(), ['23:00–23:30', '00:00–00:30', '01:00–02:00', '05:00–05:30', '06:30–07:00']);
    assert.equal(t.ranS(), 10_800);
    assert.equal(t.view().period?.readyByS, at('2026-10-26T07:00:00Z'), 'the next period, 24 h');
    await t.runner.stop();
  });
});

describe('the plan runner over the spring night of 23 hours (Europe/London, 29 March 2026)', () => {
  // 17:00 GMT on Saturday; ready by 07:00 BST on Sunday = 06:00Z, 23 h after 07:00 GMT on Saturday.
  // Cheapest 06:00Z–07:00Z: 07:00–08:00 BST, after the ready-by.
  const START = '2026-03-28T17:00:00Z';

  it('runs "ready by 07:00, 3 h in one go" over the skipped hour: 3 real hours, 4 on the clock face', async () => {
    const prices: Record<string, number> = { '2026-03-29T06:00:00Z': 1, '2026-03-29T06:30:00Z': 1 };
    // 23:30Z–02:30Z (23:30 GMT to 03:30 BST): the cheapest 3 h before the ready-by.
    for (let s = at('2026-03-28T23:30:00Z'); s < at('2026-03-29T02:30:00Z'); s += HALF_HOUR_S)
      prices[new Date(s * 1000).toISOString().replace('.000', '')] = 5;
    for (let s = at('2026-03-29T03:00:00Z'); s < at('2026-03-29T06:00:00Z'); s += HALF_HOUR_S)
      prices[new Date(s * 1000).toISOString().replace('.000', '')] = 6;
    const t = setup(START, smart(false), signalFrom(START, prices));
    await t.runner.start();
    const period = t.view().period!;
    assert.equal(period.readyByS, at('2026-03-29T06:00:00Z'), 'ready by 07:00 BST');
    assert.equal(period.readyByS - period.previousS, 23 * 3600, 'a period of 23 hours');
    await t.advanceTo('2026-03-29T07:30:00Z');
    assert.deepEqual(t.shown(), ['23:30–02:30']);
    assert.equal(t.ranS(), 10_800);
    await t.runner.stop();
  });

  it('runs an interruptible 3 h in the six cheapest half hours by UTC, none after 07:00 BST', async () => {
    const cheap = ['2026-03-28T22:00:00Z', '2026-03-28T23:30:00Z', '2026-03-29T00:30:00Z'];
    cheap.push('2026-03-29T01:00:00Z', '2026-03-29T03:00:00Z', '2026-03-29T05:30:00Z');
    const prices: Record<string, number> = Object.fromEntries(cheap.map((iso, i) => [iso, 2 + i / 10]));
    Object.assign(prices, { '2026-03-29T06:00:00Z': 1, '2026-03-29T06:30:00Z': 1 });
    const t = setup(START, smart(true), signalFrom(START, prices));
    await t.runner.start();
    await t.advanceTo('2026-03-29T07:30:00Z');
    // 00:30Z–01:30Z is 00:30 GMT to 02:30 BST: the hour skipped in between.
    assert.deepEqual(t.shown(), ['22:00–22:30', '23:30–00:00', '00:30–01:30', '03:00–03:30', '05:30–06:00']);
    assert.equal(t.ranS(), 10_800);
    await t.runner.stop();
  });
});
