import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DevicePlanJson, SignalSeries, SignalView } from '../../../src/api/contract.js';
import { combineSignals } from '../../../src/signals/signal-target.js';
import {
  costSummary,
  goodSlots,
  meanOver,
  nextGoodS,
  planChart,
  targetSeries,
} from '../../../ui/src/plan-model.js';

const H = 3600;
const START = 1_795_910_400; // a multiple of an hour
const series = (values: number[], over: Partial<SignalSeries> = {}): SignalSeries => ({
  startS: START,
  intervalS: H,
  values,
  unit: 'p/kWh',
  optimise: 'min',
  source: 'gateway:gw',
  receivedAtS: START - 600,
  ...over,
});
const view = (name: string, signal: SignalSeries | null): SignalView => ({
  name,
  what: name,
  signal,
  receivedAtMs: signal && signal.receivedAtS * 1000,
  horizonEndMs: null,
  stale: signal === null,
  why: signal === null ? `no ${name} yet` : null,
  lastError: null,
});

describe('the plan chart geometry', () => {
  it('draws the slots from the one holding now, scaled to the tallest, with the planned share marked', () => {
    const g = planChart(series([10, 20, 40, 30]), [{ startS: START + H + 1800, endS: START + 3 * H }], {
      nowS: START + H + 60,
      horizonS: 48 * H,
      width: 300,
      height: 100,
      readyByS: START + 3 * H,
    });
    assert.ok(g);
    assert.deepEqual(
      g.bars.map((b) => [b.startS - START, b.x, b.width, b.y, b.height, b.planned]),
      [
        [H, 0, 100, 50, 50, 0.5],
        [2 * H, 100, 100, 0, 100, 1],
        [3 * H, 200, 100, 25, 75, 0],
      ],
    );
    assert.equal(g.readyByX, 200);
    assert.equal(Math.round(g.nowX * 60), 100); // 60 s into a 3 h span of 300 units
    assert.deepEqual([g.top, g.bottom], [40, 0]);
  });

  it('draws negative prices below a zero line and stops at the horizon', () => {
    const g = planChart(series([-10, 10, 30, 50]), [], {
      nowS: START,
      horizonS: 2 * H,
      width: 200,
      height: 100,
    });
    assert.ok(g);
    assert.equal(g.bars.length, 2);
    assert.deepEqual(
      g.bars.map((b) => [b.y, b.height]),
      [
        [50, 50],
        [0, 50],
      ],
    );
    assert.equal(g.readyByX, null);
  });

  it('has nothing to draw once the signal has ended', () => {
    assert.equal(
      planChart(series([1, 2]), [], { nowS: START + 2 * H, horizonS: H, width: 1, height: 1 }),
      null,
    );
  });
});

describe('the cost against running it now', () => {
  const plan = (signal: SignalSeries | null, cost = 18.2, runNowCost = 42.4): DevicePlanJson => ({
    deviceId: 1,
    madeAtMs: START * 1000,
    period: { fromS: START, readyByS: START + 4 * H },
    plan: {
      intervals: [{ startS: START + 2 * H, endS: START + 3 * H }],
      plannedS: H,
      cost,
      runNowCost,
      shortS: 0,
      reason: null,
    },
    signal,
    pausedUntilMs: null,
    problem: null,
    signalStale: null,
    energy: null,
    wantsOn: false,
  });

  it('is money for p/kWh and grams for gCO2/kWh, as the hub computed it', () => {
    assert.deepEqual(costSummary(plan(series([1, 2, 3, 4])), START), {
      kind: 'pence',
      planned: 18.2,
      runNow: 42.4,
    });
    assert.deepEqual(costSummary(plan(series([1, 2, 3, 4], { unit: 'gCO2/kWh' })), START), {
      kind: 'grams',
      planned: 18.2,
      runNow: 42.4,
    });
    assert.deepEqual(costSummary(plan(series([1], { unit: 'kW' })), START), {
      kind: 'other',
      planned: 18.2,
      runNow: 42.4,
      unit: 'kW',
    });
  });

  it("is the mean score of the planned hours against the hours from now on the household's mix", () => {
    const scored = plan(series([0.8, 0.4, 0.1, 1], { unit: 'score' }), 0.1, 0.8);
    assert.deepEqual(costSummary(scored, START + 1800), { kind: 'score', planned: 0.1, runNow: 0.6 });
  });

  it('is nothing without a signal or without planned time: never made up', () => {
    assert.equal(costSummary(plan(null), START), null);
    const none = plan(series([1, 2]));
    none.plan!.plannedS = 0;
    assert.equal(costSummary(none, START), null);
  });

  it('means are weighted by the time each slot is covered', () => {
    assert.equal(meanOver(series([10, 40]), [{ startS: START + 1800, endS: START + 5400 }]), 25);
    assert.equal(meanOver(series([10, 40]), [{ startS: START + 9 * H, endS: START + 10 * H }]), null);
  });
});

describe('the good-time rule: the best third of the next 24 h', () => {
  it('marks the cheapest third of the coming day as good (lowest for min)', () => {
    const values = Array.from({ length: 30 }, (_, i) => (i * 7) % 24); // 24 h ahead of now, then more
    const slots = goodSlots(series(values), START + 10);
    assert.equal(slots.length, 24, 'only the coming 24 h');
    const good = slots.filter((s) => s.good).map((s) => s.value);
    assert.deepEqual(
      good.sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
  });

  it('marks the highest third for a signal where more is better (hydro)', () => {
    const slots = goodSlots(series([5, 1, 9, 3, 7, 2], { optimise: 'max' }), START);
    assert.deepEqual(
      slots.map((s) => s.good),
      [false, false, true, false, true, false],
    );
  });

  it('counts ties with the third’s last as good: a flat signal is good throughout', () => {
    assert.ok(goodSlots(series([12, 12, 12]), START).every((s) => s.good));
  });

  it('says when the next good time is: now when now is good, else the next good slot', () => {
    const slots = goodSlots(series([30, 25, 5, 40, 35, 20]), START + 600);
    assert.equal(nextGoodS(slots, START + 600), START + 2 * H);
    const now = goodSlots(series([1, 20, 30]), START + 600);
    assert.equal(nextGoodS(now, START + 600), START + 600);
    assert.equal(nextGoodS([], START), null);
  });
});

describe("the household's target as the app sees it", () => {
  it('is the one signal itself when the target names one', () => {
    const price = series([3, 2, 1]);
    assert.equal(targetSeries({ terms: [{ signal: 'price', weight: 1 }] }, [view('price', price)]), price);
  });

  it('is nothing when none of its signals is there', () => {
    assert.equal(targetSeries({ terms: [{ signal: 'hydro', weight: 1 }] }, [view('hydro', null)]), null);
  });

  it('mixes as the hub does: each scaled 0..1 before weighting', () => {
    const price = series([10, 30, 20, 40]);
    const hydro = series([5, 5, 1, 9], { optimise: 'max', unit: 'kW' });
    const terms = [
      { signal: 'price', weight: 2 },
      { signal: 'hydro', weight: 1 },
    ];
    const mine = targetSeries({ terms }, [view('price', price), view('hydro', hydro)]);
    const hubs = combineSignals(
      { terms },
      new Map([
        ['price', { ...price, values: [...price.values] }],
        ['hydro', { ...hydro, values: [...hydro.values] }],
      ]),
    ).signal;
    assert.ok(mine && hubs);
    assert.deepEqual([mine.startS, mine.intervalS], [hubs.startS, hubs.intervalS]);
    mine.values.forEach((v, i) => assert.ok(Math.abs(v - hubs.values[i]!) < 1e-12, `slot ${i}`));
  });
});
