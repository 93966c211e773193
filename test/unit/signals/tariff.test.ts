import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { energySlots } from '../../../src/signals/energy.js';
import { bandAt, costOf, goodTimeNow, tariffProblems, type Tariff } from '../../../src/signals/tariff.js';

const economy7: Tariff = {
  currency: 'GBP',
  standingChargeMinorPerDay: 50,
  vatPercent: 5,
  bands: [
    { name: 'Night', start: '00:30', end: '07:30', priceMinorPerKWh: 10 },
    { name: 'Day', start: '07:30', end: '00:30', priceMinorPerKWh: 30 },
  ],
};

describe('tariff', () => {
  const at: [string, number, string][] = [
    ['00:29 is still day (the day band crosses midnight)', 29, 'Day'],
    ['00:30 starts the night', 30, 'Night'],
    ['07:29 is night', 449, 'Night'],
    ['07:30 is day', 450, 'Day'],
  ];
  for (const [name, minute, band] of at) it(name, () => assert.equal(bandAt(economy7, minute).name, band));

  it('costs energy by band with VAT, plus the standing charge', () => {
    const cost = costOf(
      economy7,
      [
        { minuteOfDay: 60, importKWh: 2 },
        { minuteOfDay: 600, importKWh: 1 },
      ],
      1,
    );
    assert.deepEqual(cost.byBand, [
      { name: 'Night', energyKWh: 2, costMinor: 21 },
      { name: 'Day', energyKWh: 1, costMinor: 31.5 },
    ]);
    assert.equal(cost.standingChargeMinor, 52.5);
    assert.equal(cost.totalMinor, 105);
  });

  it('credits export at the export band price without VAT and subtracts it from the total', () => {
    const withExport: Tariff = {
      ...economy7,
      exportBands: [
        { name: 'Peak export', start: '16:00', end: '19:00', priceMinorPerKWh: 20 },
        { name: 'Export', start: '19:00', end: '16:00', priceMinorPerKWh: 15 },
      ],
    };
    const cost = costOf(
      withExport,
      [
        { minuteOfDay: 60, importKWh: 2, exportKWh: 0 },
        { minuteOfDay: 720, importKWh: 0, exportKWh: 3 },
        { minuteOfDay: 1020, importKWh: 1, exportKWh: 0.5 },
      ],
      1,
    );
    assert.deepEqual(cost.exportByBand, [
      { name: 'Peak export', energyKWh: 0.5, creditMinor: 10 },
      { name: 'Export', energyKWh: 3, creditMinor: 45 },
    ]);
    assert.equal(cost.exportKWh, 3.5);
    assert.equal(cost.importKWh, 3);
    assert.equal(cost.energyCostMinor, 21 + 31.5);
    assert.equal(cost.exportCreditMinor, 55);
    assert.equal(cost.totalMinor, 21 + 31.5 + 52.5 - 55);
  });

  it('earns nothing for export without an export tariff, and charges no standing charge for no days', () => {
    const cost = costOf(economy7, [{ minuteOfDay: 720, importKWh: 0, exportKWh: 3 }], 0);
    assert.deepEqual([cost.exportKWh, cost.exportCreditMinor, cost.totalMinor], [3, 0, 0]);
  });

  it('checks export bands for gaps like import bands', () => {
    const gap = {
      ...economy7,
      exportBands: [{ name: 'Export', start: '07:00', end: '23:00', priceMinorPerKWh: 15 }],
    };
    assert.deepEqual(tariffProblems(gap), ['export no band covers 00:00']);
  });

  it('finds gaps and overlaps between bands', () => {
    assert.deepEqual(tariffProblems(economy7), []);
    const gap = { ...economy7, bands: [{ name: 'Day', start: '07:30', end: '23:00', priceMinorPerKWh: 30 }] };
    assert.deepEqual(tariffProblems(gap), ['no band covers 00:00']);
    const overlap = {
      ...economy7,
      bands: [...economy7.bands, { name: 'Peak', start: '16:00', end: '19:00', priceMinorPerKWh: 40 }],
    };
    assert.deepEqual(tariffProblems(overlap), ['Day and Peak overlap at 16:00']);
  });

  it('calls a time good when its band costs no more than the day average', () => {
    assert.deepEqual(goodTimeNow(economy7, 120), { good: true, band: 'Night', flat: false });
    assert.deepEqual(goodTimeNow(economy7, 720), { good: false, band: 'Day', flat: false });
    const flat = {
      ...economy7,
      bands: [{ name: 'Flat', start: '00:00', end: '00:00', priceMinorPerKWh: 25 }],
    };
    assert.deepEqual(goodTimeNow(flat, 720), { good: true, band: 'Flat', flat: true });
  });

  it('turns half-hour power averages into energy; the running slot counts up to now', () => {
    const day = Date.UTC(2026, 0, 5) / 1000;
    const slots = energySlots(
      [
        [day, 1000],
        [day + 1800, null],
        [day + 3600, 2000],
      ],
      1800,
      day + 3600 + 900,
      'UTC',
    );
    assert.deepEqual(slots, [
      { startS: day, minuteOfDay: 0, energyKWh: 0.5 },
      { startS: day + 3600, minuteOfDay: 60, energyKWh: 0.5 },
    ]);
  });
});
