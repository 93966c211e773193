import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  planInterruptible,
  type InterruptibleRequest,
} from '../../../src/scheduler/interruptible-planner.js';
import { buildCostGrid } from '../../../src/scheduler/slots.js';
import type { PlannedInterval, PlanSignal } from '../../../src/scheduler/plan-types.js';
import { allPatterns, costSeconds, gcd, patternIntervals, runSeed, seededRandom } from './brute-force.js';

const HALF = 1800;
const signalOf = (values: number[]): PlanSignal => ({ startS: 0, intervalS: HALF, values, optimise: 'min' });
const request = (over: Partial<InterruptibleRequest>): InterruptibleRequest => ({
  fromS: 0,
  toS: 0,
  needS: 0,
  minOnS: 0,
  minGapS: 0,
  onNow: false,
  forcedOnS: 0,
  ...over,
});
const plan = (values: number[], over: Partial<InterruptibleRequest>) => {
  const r = request({ toS: values.length * HALF, ...over });
  return planInterruptible(buildCostGrid(signalOf(values), r.fromS, r.toS), r);
};
const asPairs = (intervals: PlannedInterval[] | undefined) =>
  intervals?.map((i) => [i.startS / HALF, i.endS / HALF]);

describe('interruptible planner: scenarios', () => {
  it('takes the cheapest slots when runs may be any length', () => {
    assert.deepEqual(asPairs(plan([5, 1, 7, 2, 9, 1], { needS: 3 * HALF })?.intervals), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('keeps every run at least minOn long (not the greedy pick)', () => {
    // Greedy would take slots 1, 3 and 5 (cost 4); with 1 h min-on the best is slots 0–1 and 4–5.
    const p = plan([3, 1, 8, 2, 3, 1], { needS: 4 * HALF, minOnS: 2 * HALF });
    assert.deepEqual(asPairs(p?.intervals), [
      [0, 2],
      [4, 6],
    ]);
  });

  it('keeps runs at least minGap apart', () => {
    // Slots 1 and 3 are cheapest but only 30 min apart; 1 h apart or more, 1 + 2 is the best.
    const p = plan([5, 1, 9, 1, 9, 2], { needS: 2 * HALF, minGapS: 2 * HALF });
    assert.deepEqual(asPairs(p?.intervals), [
      [1, 2],
      [5, 6],
    ]);
  });

  it('puts a remainder on the cheaper edge of its run', () => {
    // One run of 1.5 slots around the cheap slot 2: the half slot goes on the cheaper neighbour (3).
    const p = plan([9, 6, 1, 4, 9], { needS: HALF + 900, minOnS: HALF + 900 });
    assert.deepEqual(p?.intervals, [{ startS: 2 * HALF, endS: 3 * HALF + 900 }]);
  });

  it('breaks ties towards later slots', () => {
    assert.deepEqual(asPairs(plan([1, 1, 1, 1], { needS: 2 * HALF })?.intervals), [[2, 4]]);
  });

  it('stays on until min-on when it is on now, even if that is dear', () => {
    const p = plan([9, 9, 1, 1], { needS: 2 * HALF, minOnS: HALF, onNow: true, forcedOnS: HALF });
    assert.deepEqual(asPairs(p?.intervals), [
      [0, 1],
      [3, 4],
    ]);
  });

  it('finds nothing when min-on and min-gap cannot fit in the window', () => {
    assert.equal(plan([1, 1, 1], { needS: 2 * HALF, minOnS: 3 * HALF }), null);
  });
});

describe('interruptible planner: against brute force', () => {
  it('has exactly the cost of the cheapest pattern that keeps min-on and min-gap', () => {
    const seed = runSeed();
    console.log(`interruptible planner seed ${seed} (replay: PLANNER_SEED=${seed})`);
    const rnd = seededRandom(seed);
    let feasible = 0;
    for (let n = 0; n < 300; n++) {
      const intervalS = 60;
      const unit = rnd.pick([20, 30, 60]);
      const startS = 100 * intervalS;
      const fromS = startS + unit * rnd.int(0, 2);
      const toS = fromS + unit * rnd.int(1, 12);
      const values = Array.from({ length: Math.ceil((toS - startS) / intervalS) }, () => rnd.int(0, 9));
      const onNow = rnd.int(0, 3) === 0;
      const minOnS = unit * rnd.int(0, 4);
      const r = request({
        fromS,
        toS,
        needS: unit * rnd.int(1, (toS - fromS) / unit),
        minOnS,
        minGapS: unit * rnd.int(0, 4),
        onNow,
        forcedOnS: onNow ? unit * rnd.int(0, minOnS / unit) : 0,
      });
      const slots = { startS, intervalS, values };
      const tickS = [r.needS, r.minOnS, r.minGapS, r.forcedOnS, fromS - startS, toS - fromS].reduce(
        gcd,
        intervalS,
      );
      const forced = onNow ? r.forcedOnS / tickS : null;
      const rules = {
        ticks: (toS - fromS) / tickS,
        need: Math.max(r.needS / tickS, forced ?? 0),
        minOn: r.minOnS / tickS,
        minGap: r.minGapS / tickS,
        onNowForced: forced,
      };
      const costs = allPatterns(rules).map((bits) =>
        costSeconds(slots, patternIntervals(bits, fromS, tickS)),
      );
      const brute = costs.length === 0 ? null : Math.min(...costs);
      const got = planInterruptible(buildCostGrid({ ...slots, optimise: 'min' }, fromS, toS), r);
      const at = `seed ${seed} case ${n}: ${JSON.stringify({ slots, r, tickS })}`;
      if (brute === null) {
        assert.equal(got, null, at);
        continue;
      }
      feasible++;
      assert.ok(got, at);
      assert.equal(costSeconds(slots, got.intervals), brute, at);
      assert.equal(got.cost, brute, at);
      assertKeepsRules(got.intervals, r, at);
    }
    assert.ok(feasible > 150, `only ${feasible} feasible cases`);
  });

  it('equals the greedy cheapest-N-slots answer when min-on and min-gap are 0', () => {
    const seed = runSeed();
    console.log(`greedy comparison seed ${seed} (replay: PLANNER_SEED=${seed})`);
    const rnd = seededRandom(seed);
    for (let n = 0; n < 200; n++) {
      const values = Array.from({ length: rnd.int(1, 96) }, () => rnd.int(0, 30) / 4);
      const slotsNeeded = rnd.int(1, values.length);
      const got = plan(values, { needS: slotsNeeded * HALF });
      const greedy = [...values].sort((a, b) => a - b).slice(0, slotsNeeded);
      const at = `seed ${seed} case ${n}: ${JSON.stringify({ values, slotsNeeded })}`;
      assert.equal(got?.cost, greedy.reduce((a, b) => a + b, 0) * HALF, at);
    }
  });
});

function assertKeepsRules(intervals: PlannedInterval[], r: InterruptibleRequest, at: string): void {
  let total = 0;
  intervals.forEach((i, k) => {
    assert.ok(i.startS >= r.fromS && i.endS <= r.toS && i.endS > i.startS, at);
    total += i.endS - i.startS;
    const continuing = r.onNow && k === 0 && i.startS === r.fromS;
    assert.ok(i.endS - i.startS >= (continuing ? r.forcedOnS : r.minOnS), `run too short: ${at}`);
    const before = intervals[k - 1];
    if (before) assert.ok(i.startS - before.endS >= Math.max(r.minGapS, 1), `gap too short: ${at}`);
    if (!before && r.onNow && !continuing) assert.ok(i.startS - r.fromS >= r.minGapS, `gap after now: ${at}`);
  });
  assert.equal(total, Math.max(r.needS, r.forcedOnS), at);
}
