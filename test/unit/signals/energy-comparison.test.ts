import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { changeOf, monthPeriods, weekPeriods } from '../../../src/signals/energy-comparison.js';

const TZ = 'Europe/London';
const utc = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min) / 1000;

describe('week so far vs last week', () => {
  it('starts on Monday and compares the same days and hours last week', () => {
    // Wednesday 11 March 2026, 15:00 GMT
    assert.deepEqual(weekPeriods(utc(2026, 3, 11, 15), TZ), {
      current: { startS: utc(2026, 3, 9), endS: utc(2026, 3, 11, 15), days: 3 },
      previous: { startS: utc(2026, 3, 2), endS: utc(2026, 3, 4, 15), days: 3 },
    });
  });

  it('is one day on a Monday and seven on a Sunday', () => {
    assert.equal(weekPeriods(utc(2026, 3, 9, 8), TZ).current.startS, utc(2026, 3, 9));
    assert.equal(weekPeriods(utc(2026, 3, 9, 8), TZ).current.days, 1);
    const sunday = weekPeriods(utc(2026, 3, 15, 22), TZ);
    assert.equal(sunday.current.startS, utc(2026, 3, 9));
    assert.equal(sunday.current.days, 7);
    assert.equal(sunday.previous.startS, utc(2026, 3, 2));
  });

  it('puts Monday at local midnight across the spring change', () => {
    // Tuesday 31 March 2026 10:00 BST; the clocks went forward on Sunday 29th.
    const p = weekPeriods(utc(2026, 3, 31, 9), TZ);
    assert.deepEqual(p.current, { startS: utc(2026, 3, 29, 23), endS: utc(2026, 3, 31, 9), days: 2 });
    // Last week was all GMT: Monday 23rd 00:00 to Tuesday 24th, 10 hours in.
    assert.deepEqual(p.previous, { startS: utc(2026, 3, 23), endS: utc(2026, 3, 24, 10), days: 2 });
  });

  it('stops the shorter day of last week at its own midnight (the 25-hour autumn day)', () => {
    // Sunday 25 October 2026 23:30 GMT: 24.5 hours into the day (midnight was 00:00 BST).
    const p = weekPeriods(utc(2026, 10, 25, 23, 30), TZ);
    assert.equal(p.current.startS, utc(2026, 10, 18, 23));
    assert.equal(p.current.endS, utc(2026, 10, 25, 23, 30));
    // Sunday 18th had 24 hours: its period ends at Monday 19th 00:00 BST, not in Monday.
    assert.deepEqual(p.previous, { startS: utc(2026, 10, 11, 23), endS: utc(2026, 10, 18, 23), days: 7 });
  });
});

describe('month so far vs the same month last year', () => {
  it('compares the same dates and hours a year before', () => {
    assert.deepEqual(monthPeriods(utc(2026, 3, 11, 15), TZ), {
      current: { startS: utc(2026, 3, 1), endS: utc(2026, 3, 11, 15), days: 11 },
      previous: { startS: utc(2025, 3, 1), endS: utc(2025, 3, 11, 15), days: 11 },
    });
  });

  it('maps 29 February to 28 February of the year before', () => {
    assert.deepEqual(monthPeriods(utc(2028, 2, 29, 20), TZ), {
      current: { startS: utc(2028, 2, 1), endS: utc(2028, 2, 29, 20), days: 29 },
      previous: { startS: utc(2027, 2, 1), endS: utc(2027, 2, 28, 20), days: 28 },
    });
  });

  it('uses local midnights in summer time', () => {
    // 1 July 2026 06:00 BST
    assert.deepEqual(monthPeriods(utc(2026, 7, 1, 5), TZ), {
      current: { startS: utc(2026, 6, 30, 23), endS: utc(2026, 7, 1, 5), days: 1 },
      previous: { startS: utc(2025, 6, 30, 23), endS: utc(2025, 7, 1, 5), days: 1 },
    });
  });
});

describe('the change between two periods', () => {
  it('gives the difference in kWh and money and as a percentage of the previous period', () => {
    assert.deepEqual(
      changeOf({ energyKWh: 30, importCostMinor: 900 }, { energyKWh: 40, importCostMinor: 600 }),
      { energyKWh: -10, energyPercent: -25, importCostMinor: 300, importCostPercent: 50 },
    );
  });

  it('has no percentage after a period of nothing', () => {
    const c = changeOf({ energyKWh: 5, importCostMinor: 0 }, { energyKWh: 0, importCostMinor: 0 });
    assert.equal(c.energyPercent, null);
    assert.equal(c.importCostPercent, null);
  });
});
