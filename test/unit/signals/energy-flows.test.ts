import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  balanceSlot,
  selfConsumption,
  selfSufficiency,
  sumFlows,
} from '../../../src/signals/energy-flows.js';
import { flowSlots } from '../../../src/signals/energy.js';

const flows = (house: number, solar: number, imp: number, exp: number, battery = 0) => ({
  houseKWh: house,
  solarKWh: solar,
  importKWh: imp,
  exportKWh: exp,
  batteryKWh: battery,
});

describe('energy flows: house = solar + import − export + battery', () => {
  const cases: [string, Parameters<typeof balanceSlot>[0], ReturnType<typeof flows>][] = [
    ['use only (no solar): all of it is imported', { house: 2 }, flows(2, 0, 2, 0)],
    ['use and solar, sun below use: the rest is imported', { house: 2, solar: 0.5 }, flows(2, 0.5, 1.5, 0)],
    ['use and solar, sun above use: the rest is exported', { house: 1, solar: 3 }, flows(1, 3, 0, 2)],
    [
      'use, solar and import (the old template): export is what the sun gave beyond use',
      { house: 1, solar: 3, import: 0.25 },
      flows(1, 3, 0.25, 2.25),
    ],
    [
      'solar, import and export without a use feed: use follows',
      { solar: 3, import: 1, export: 2.5 },
      flows(1.5, 3, 1, 2.5),
    ],
    [
      'use, import and export without a solar feed: solar follows',
      { house: 2, import: 1, export: 0.5 },
      flows(2, 1.5, 1, 0.5),
    ],
    [
      'a discharging battery covers use before the grid',
      { house: 2, solar: 0.5, battery: 1 },
      flows(2, 0.5, 0.5, 0, 1),
    ],
    [
      'a charging battery takes the sun before export',
      { house: 1, solar: 3, battery: -1.5 },
      flows(1, 3, 0, 0.5, -1.5),
    ],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.deepEqual(balanceSlot(input), expected));

  it('gives self-consumption and self-sufficiency by their definitions, null when undefined', () => {
    const day = sumFlows([flows(2, 0, 2, 0), flows(1, 3, 0, 2)]);
    assert.deepEqual(day, flows(3, 3, 2, 2));
    assert.equal(selfConsumption(day), (3 - 2) / 3);
    assert.equal(selfSufficiency(day), (3 - 2) / 3);
    assert.equal(selfConsumption(flows(1, 0, 1, 0)), null);
    assert.equal(selfSufficiency(flows(0, 0, 0, 0)), null);
  });

  it('joins feeds slot by slot; a slot exists where any feed has data', () => {
    const day = Date.UTC(2026, 0, 5) / 1000;
    const slots = flowSlots(
      {
        house: [
          [day, 1000],
          [day + 1800, 2000],
          [day + 3600, null],
        ],
        solar: [
          [day, null],
          [day + 1800, 3000],
          [day + 3600, 4000],
        ],
      },
      1800,
      day + 5400,
      'UTC',
    );
    assert.deepEqual(slots, [
      { startS: day, minuteOfDay: 0, ...flows(0.5, 0, 0.5, 0) },
      { startS: day + 1800, minuteOfDay: 30, ...flows(1, 1.5, 0, 0.5) },
      // use missing: derived from the balance with no grid data, so the sun is all used at home
      { startS: day + 3600, minuteOfDay: 60, ...flows(0, 2, 0, 2) },
    ]);
  });
});
