import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { energyLimitKWh, planRequest, type RequestFacts } from '../../../src/scheduler/plan-request.js';
import type { SmartSchedule } from '../../../src/scheduler/schedule.js';

// What the planner is asked for a smart schedule: its run time, or a charger's energy still
// wanted, timed at its measured rate on top of the time it already ran.
const smart = (over: Partial<SmartSchedule> = {}): SmartSchedule => ({
  readyBy: '07:00',
  runMinutes: 90,
  interruptible: false,
  minOnMinutes: 0,
  minGapMinutes: 0,
  repeat: [0, 1, 2, 3, 4, 5, 6],
  onceDate: null,
  energyKWh: null,
  rangeKm: null,
  whPerKm: 170,
  powerW: null,
  ...over,
});
const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  deviceId: 3,
  smart: smart(),
  period: { fromS: 1000, readyByS: 90_000, previousS: 0 },
  measuredW: null,
  defaultPowerW: 1000,
  ranS: 0,
  meterKWh: null,
  baselineKWh: null,
  ...over,
});

describe('planRequest', () => {
  it('a plug runs its minutes, at its measured draw (or the default)', () => {
    const { planned, energy } = planRequest(facts({ measuredW: 2200 }));
    assert.deepEqual(
      [planned.deviceId, planned.runS, planned.powerW, planned.earliestS, planned.readyByS],
      ['3', 5400, 2200, 1000, 90_000],
    );
    assert.equal(energy, null);
    assert.equal(planRequest(facts()).planned.powerW, 1000);
  });

  it('a charger without a meter reading times its whole energy at the rate', () => {
    const { planned, energy } = planRequest(facts({ smart: smart({ energyKWh: 11 }), measuredW: 7400 }));
    assert.equal(planned.runS, Math.ceil((11 * 3_600_000) / 7400));
    assert.deepEqual(energy, { neededKWh: 11, deliveredKWh: null });
  });

  it('a charger with a meter: what is left at the rate, on top of the time already run', () => {
    const { planned, energy } = planRequest(
      facts({
        smart: smart({ energyKWh: 11 }),
        measuredW: 7200,
        ranS: 1800,
        meterKWh: 104,
        baselineKWh: 100,
      }),
    );
    assert.deepEqual(energy, { neededKWh: 11, deliveredKWh: 4 });
    assert.equal(planned.runS, 1800 + Math.ceil((7 * 3_600_000) / 7200));
  });

  it('a charger that has its energy is done: nothing left beyond what it ran', () => {
    const { planned } = planRequest(
      facts({ smart: smart({ energyKWh: 5 }), measuredW: 7200, ranS: 2600, meterKWh: 106, baselineKWh: 100 }),
    );
    assert.equal(planned.runS, 2600);
  });

  it('a range is energy at the car’s use per km', () => {
    const { energy } = planRequest(facts({ smart: smart({ rangeKm: 120, whPerKm: 160 }) }));
    assert.deepEqual(energy, { neededKWh: 19.2, deliveredKWh: null });
  });
});

describe('energyLimitKWh: where the charger stops by itself', () => {
  it('is the session so far plus what is still wanted', () => {
    assert.equal(energyLimitKWh({ neededKWh: 15, deliveredKWh: 4 }, 6.5), 17.5);
    assert.equal(energyLimitKWh({ neededKWh: 15, deliveredKWh: null }, 0), 15);
  });

  it('is none without the session’s energy, for a plug, or with nothing left', () => {
    assert.equal(energyLimitKWh({ neededKWh: 15, deliveredKWh: 4 }, null), null);
    assert.equal(energyLimitKWh(null, 3), null);
    assert.equal(energyLimitKWh({ neededKWh: 15, deliveredKWh: 15 }, 20), null);
  });
});
