import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { localMidnightS } from '../../../src/timeseries/calendar.js';
import { tariffIntervalS, tariffSignal } from '../../../src/signals/tariff-signal.js';
import type { Tariff } from '../../../src/signals/tariff.js';

const economy7: Tariff = {
  currency: 'GBP',
  standingChargeMinorPerDay: 50,
  vatPercent: 5,
  bands: [
    { name: 'Night', start: '00:30', end: '07:30', priceMinorPerKWh: 10 },
    { name: 'Day', start: '07:30', end: '00:30', priceMinorPerKWh: 30 },
  ],
};
const LONDON = 'Europe/London';
const count = (values: readonly number[], v: number) => values.filter((x) => x === v).length;

describe('the time-of-use tariff as a signal', () => {
  it('gives each half hour its local band with VAT, from the slot covering now', () => {
    const midnight = localMidnightS({ year: 2026, month: 11, day: 28 }, LONDON);
    const s = tariffSignal(economy7, midnight + 600, LONDON, 24 * 3600);
    assert.deepEqual(
      [s.startS, s.intervalS, s.unit, s.optimise, s.source],
      [midnight, 1800, 'p/kWh', 'min', 'tariff'],
    );
    assert.deepEqual(s.values.slice(0, 3), [31.5, 10.5, 10.5], '00:00 day, 00:30 night');
    assert.equal(s.values[15], 31.5, '07:30 is day again');
    assert.deepEqual([count(s.values, 10.5), count(s.values, 31.5)], [14, 34]);
  });

  // Per slot in the zone: the autumn day has 25 hours and the night band 8 of them; spring 23 and 6.
  const dstDays: [string, { year: number; month: number; day: number }, number, number, number][] = [
    ['clocks back (25 Oct 2026): 50 slots, 16 at night', { year: 2026, month: 10, day: 25 }, 25, 16, 34],
    ['clocks forward (29 Mar 2026): 46 slots, 12 at night', { year: 2026, month: 3, day: 29 }, 23, 12, 34],
  ];
  for (const [name, date, hours, night, dayCount] of dstDays)
    it(name, () => {
      const start = localMidnightS(date, LONDON);
      const next = localMidnightS({ ...date, day: date.day + 1 }, LONDON);
      assert.equal(next - start, hours * 3600);
      const s = tariffSignal(economy7, start, LONDON, next - start);
      assert.equal(s.values.length, hours * 2);
      assert.deepEqual([count(s.values, 10.5), count(s.values, 31.5)], [night, dayCount]);
    });

  it('spans 48 h by default', () => {
    assert.equal(tariffSignal(economy7, 1_795_867_200, LONDON).values.length, 96);
  });

  const intervals: [string, string[], number[], number][] = [
    ['half-hour bands', ['00:30', '07:30'], [0], 1800],
    ['quarter-hour bands', ['00:15', '07:30'], [3600], 900],
    ['a band at 06:10', ['06:10', '22:00'], [0], 600],
    ['a zone at +05:45 (Kathmandu)', ['00:00', '07:00'], [20_700], 900],
    ['a band at 06:07', ['06:07', '22:00'], [0], 60],
  ];
  for (const [name, [a, b], offsets, expected] of intervals)
    it(`uses ${expected} s slots for ${name}`, () => {
      const bands = [
        { name: 'A', start: a!, end: b!, priceMinorPerKWh: 1 },
        { name: 'B', start: b!, end: a!, priceMinorPerKWh: 2 },
      ];
      assert.equal(tariffIntervalS({ bands }, offsets), expected);
    });
});
