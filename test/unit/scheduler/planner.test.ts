import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePlan } from '../../../src/scheduler/planner.js';
import type {
  LimitW,
  PlanSchedule,
  PlanSignal,
  ScheduleProgress,
} from '../../../src/scheduler/plan-types.js';

const HALF = 1800;
const T0 = Date.UTC(2026, 10, 27, 18) / 1000; // Friday 27 November 2026 18:00 UTC
const at = (slots: number) => T0 + slots * HALF;
const signalOf = (values: number[], optimise: 'min' | 'max' = 'min'): PlanSignal => ({
  startS: T0,
  intervalS: HALF,
  values,
  optimise,
});
const schedule = (over: Partial<PlanSchedule> = {}): PlanSchedule => ({
  deviceId: 'washer',
  runS: 2 * HALF,
  readyByS: at(8),
  earliestS: T0,
  interruptible: false,
  minOnS: 0,
  minGapS: 0,
  powerW: 2000,
  ...over,
});
const plan = (
  signal: PlanSignal,
  schedules: PlanSchedule[],
  nowS = T0,
  progress: Record<string, ScheduleProgress> = {},
  limitW?: LimitW,
) => makePlan({ signal, schedules, nowS, progress: new Map(Object.entries(progress)), limitW });
const slotsOf = (p: ReturnType<typeof plan>, k = 0) =>
  p.devices[k]!.intervals.map((i) => [(i.startS - T0) / HALF, (i.endS - T0) / HALF]);

describe('planner: one device', () => {
  it('places a block in the cheapest hour and says what running now would cost', () => {
    const p = plan(signalOf([30, 28, 20, 12, 10, 11, 25, 30]), [schedule()]);
    assert.deepEqual(slotsOf(p), [[4, 6]]);
    const d = p.devices[0]!;
    assert.equal(d.valueHours, (10 + 11) / 2);
    assert.equal(d.cost, ((10 + 11) / 2) * 2);
    assert.equal(d.runNowValueHours, (30 + 28) / 2);
    assert.equal(d.runNowCost, 58);
    assert.deepEqual([d.reason, d.shortS, d.plannedS, p.method], [null, 0, 2 * HALF, 'alone']);
  });

  it('never moves a started block, whatever the new signal says', () => {
    const nowS = at(3);
    const progress = { washer: { ranS: HALF, runningSinceS: at(2) } };
    for (const values of [
      [1, 1, 1, 99, 99, 1, 1, 1],
      [99, 99, 99, 99, 99, 99, 1, 1],
    ]) {
      const p = plan(signalOf(values), [schedule({ runS: 3 * HALF })], nowS, progress);
      assert.deepEqual(slotsOf(p), [[3, 5]]);
      assert.equal(p.devices[0]!.reason, 'continuing');
    }
  });

  it('re-plans only what is left of an interruptible run', () => {
    const progress = { washer: { ranS: HALF, runningSinceS: null } };
    const p = plan(
      signalOf([1, 9, 9, 2, 9, 3, 9, 9]),
      [schedule({ runS: 3 * HALF, interruptible: true })],
      at(1),
      progress,
    );
    assert.deepEqual(slotsOf(p), [
      [3, 4],
      [5, 6],
    ]);
  });

  it('keeps an interruptible device on until min-on, then plans the rest', () => {
    const s = schedule({ runS: 4 * HALF, interruptible: true, minOnS: 2 * HALF });
    const p = plan(signalOf([1, 9, 9, 9, 9, 1, 1, 9]), [s], at(1), {
      washer: { ranS: HALF, runningSinceS: at(0) },
    });
    // On since slot 0: it must stay on through slot 1 (dear); the other 1 h goes to slots 5–6.
    assert.deepEqual(slotsOf(p), [
      [1, 2],
      [5, 7],
    ]);
  });

  it('may stop an interruptible device at once when its run is past min-on', () => {
    const s = schedule({ runS: 3 * HALF, interruptible: true, minOnS: HALF });
    const p = plan(signalOf([1, 1, 9, 9, 9, 1, 9, 9]), [s], at(2), {
      washer: { ranS: 2 * HALF, runningSinceS: at(0) },
    });
    assert.deepEqual(slotsOf(p), [[5, 6]]);
  });

  it('runs the whole time left when there is not enough before ready-by', () => {
    const p = plan(signalOf([9, 1, 1, 1, 1, 1, 1, 1]), [schedule({ runS: 3 * HALF, readyByS: at(2) })]);
    assert.deepEqual(slotsOf(p), [[0, 2]]);
    assert.deepEqual([p.devices[0]!.reason, p.devices[0]!.shortS], ['not-enough-time', HALF]);
  });

  it('plans nothing after ready-by, and nothing when the run is done', () => {
    const late = plan(signalOf([1, 1]), [schedule({ readyByS: at(1) })], at(1));
    assert.deepEqual([slotsOf(late), late.devices[0]!.reason], [[], 'deadline-passed']);
    const done = plan(signalOf([1, 1]), [schedule()], at(1), {
      washer: { ranS: 2 * HALF, runningSinceS: null },
    });
    assert.deepEqual([slotsOf(done), done.devices[0]!.reason, done.devices[0]!.shortS], [[], 'done', 0]);
  });

  it('waits for the earliest start', () => {
    const p = plan(signalOf([1, 1, 5, 6, 7, 8, 9, 9]), [schedule({ earliestS: at(2) })]);
    assert.deepEqual(slotsOf(p), [[2, 4]]);
  });

  it('uses time past the signal only when the known slots are not enough (it costs as the dearest)', () => {
    // The signal covers 4 slots; ready-by is 8 slots away. Known slots suffice: they are used.
    const known = plan(signalOf([5, 2, 2, 9]), [schedule()]);
    assert.deepEqual(slotsOf(known), [[1, 3]]);
    // 5 slots needed, 4 known: one unknown slot, and the plan avoids the dearest known slot (9).
    const more = plan(signalOf([5, 2, 2, 9]), [schedule({ runS: 5 * HALF, interruptible: true })]);
    assert.equal(more.devices[0]!.plannedS, 5 * HALF);
    assert.ok(!more.devices[0]!.intervals.some((i) => i.startS < at(4) && i.endS > at(3)));
  });

  it('prefers the most of a "max" signal (solar surplus) and reports it as it is', () => {
    const p = plan(signalOf([0, 500, 2500, 3000, 800, 0, 0, 0], 'max'), [schedule()]);
    assert.deepEqual(slotsOf(p), [[2, 4]]);
    assert.equal(p.devices[0]!.valueHours, (2500 + 3000) / 2);
  });

  it('works in epoch seconds across a clock change: the second 01:00 of 25 October is its own slot', () => {
    // Europe/London, 25 October 2026: 01:00–02:00 happens twice (00:00Z BST, then 01:00Z GMT).
    const startS = Date.UTC(2026, 9, 24, 23) / 1000; // 00:00 BST
    const values = Array.from({ length: 20 }, (_, j) => (j === 4 || j === 5 ? 1 : 10)); // 01:00Z–02:00Z
    const p = makePlan({
      signal: { startS, intervalS: HALF, values, optimise: 'min' },
      schedules: [schedule({ earliestS: startS, readyByS: startS + 20 * HALF })],
      nowS: startS,
      progress: new Map(),
    });
    assert.deepEqual(p.devices[0]!.intervals, [
      { startS: Date.UTC(2026, 9, 25, 1) / 1000, endS: Date.UTC(2026, 9, 25, 2) / 1000 },
    ]);
  });
});

describe('planner: a household limit', () => {
  const values = [9, 9, 1, 1, 5, 5, 9, 9];
  const two = [schedule({ deviceId: 'ev', powerW: 3000 }), schedule({ deviceId: 'heater', powerW: 2000 })];

  it('plans each device alone when they fit together', () => {
    const p = plan(signalOf(values), two, T0, {}, 6000);
    assert.equal(p.method, 'alone');
    assert.deepEqual([slotsOf(p, 0), slotsOf(p, 1)], [[[2, 4]], [[2, 4]]]);
  });

  it('moves the device it costs least to move, and never goes over the limit', () => {
    const p = plan(signalOf(values), two, T0, {}, 4000);
    assert.equal(p.method, 'exact');
    // The heavier EV keeps the cheap hour; the heater goes to the next best.
    assert.deepEqual([slotsOf(p, 0), slotsOf(p, 1)], [[[2, 4]], [[4, 6]]]);
  });

  it('follows a limit per slot (a solar surplus)', () => {
    const surplusW = [0, 0, 2500, 2500, 6000, 6000, 0, 0];
    const p = plan(signalOf(values), two, T0, {}, surplusW);
    assert.deepEqual([slotsOf(p, 0), slotsOf(p, 1)], [[[4, 6]], [[2, 4]]]);
  });

  it('names the device that cannot fit (the one whose absence costs least)', () => {
    // Three 1 h blocks in 2 h of room, one device at a time under 3.5 kW: one must be left out.
    const three = [...two, schedule({ deviceId: 'dryer', powerW: 3500 })].map((s) => ({
      ...s,
      readyByS: at(4),
    }));
    const p = plan(signalOf(values), three, T0, {}, 3500);
    assert.deepEqual(
      p.devices.map((d) => [d.deviceId, d.reason, d.shortS]),
      [
        ['ev', null, 0],
        ['heater', 'over-limit', 2 * HALF],
        ['dryer', null, 0],
      ],
    );
    assert.deepEqual([slotsOf(p, 0), slotsOf(p, 2)], [[[0, 2]], [[2, 4]]]);
  });

  it('keeps a started block where it is and fits the others around it', () => {
    const progress = { heater: { ranS: HALF, runningSinceS: at(0) } };
    const p = plan(signalOf(values), two, at(1), progress, 4000);
    assert.deepEqual(slotsOf(p, 1), [[1, 2]]);
    assert.deepEqual(slotsOf(p, 0), [[2, 4]]);
  });
});
