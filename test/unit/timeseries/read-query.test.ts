import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calendarBoundaries } from '../../../src/timeseries/calendar.js';
import { readSeries, type SeriesView } from '../../../src/timeseries/read-query.js';
import { sumValues } from '../../../src/timeseries/rollup-format.js';

/** A feed in memory: values from absolute slot `startSlot`. */
function memoryView(intervalS: number, startTimeS: number, values: number[]): SeriesView {
  const startSlot = startTimeS / intervalS;
  const data = Float32Array.from(values);
  return {
    intervalS,
    startSlot,
    endSlot: startSlot + data.length,
    sum: (from, to) => sumValues(data, from - startSlot, to - startSlot),
    valueAt: (slot) => data[slot - startSlot] ?? NaN,
  };
}

const iso = (s: number) => new Date(s * 1000).toISOString();

describe('reads with emoncms semantics', () => {
  // 10 s feed from t=1000: 1, 2, NaN, 4, 5, 6
  const view = memoryView(10, 1000, [1, 2, NaN, 4, 5, 6]);
  const base = { average: false, skipMissing: false, timeZone: 'UTC' };

  const cases: {
    name: string;
    q: Partial<Parameters<typeof readSeries>[1]>;
    expect: [number, number | null][];
  }[] = [
    {
      name: 'full resolution includes the end and shows missing as null',
      q: { startS: 1000, endS: 1030, interval: 10 },
      expect: [
        [1000, 1],
        [1010, 2],
        [1020, null],
        [1030, 4],
      ],
    },
    {
      name: 'outside the data is null',
      q: { startS: 980, endS: 990, interval: 10 },
      expect: [
        [980, null],
        [990, null],
      ],
    },
    {
      name: 'averages skip missing values',
      q: { startS: 1000, endS: 1030, interval: 30, average: true },
      expect: [
        [1000, 1.5],
        [1030, 5],
      ],
    },
    {
      name: 'a sampled coarse read takes the slot at each bucket start',
      q: { startS: 1000, endS: 1040, interval: 20 },
      expect: [
        [1000, 1],
        [1020, null],
        [1040, 5],
      ],
    },
    {
      name: 'skipmissing drops null buckets',
      q: { startS: 1000, endS: 1030, interval: 10, skipMissing: true },
      expect: [
        [1000, 1],
        [1010, 2],
        [1030, 4],
      ],
    },
    {
      name: 'an interval below the feed interval is raised to it',
      q: { startS: 1000, endS: 1010, interval: 3 },
      expect: [
        [1000, 1],
        [1010, 2],
      ],
    },
    {
      name: 'an unaligned start keeps its own times (not re-aligned)',
      q: { startS: 1005, endS: 1025, interval: 10 },
      expect: [
        [1005, 1],
        [1015, 2],
        [1025, null],
      ],
    },
    {
      name: 'delta turns a cumulative feed into differences',
      q: { startS: 1030, endS: 1040, interval: 10, delta: true },
      expect: [
        [1030, 1],
        [1040, 1],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(readSeries(view, { ...base, interval: 10, startS: 0, endS: 0, ...c.q }), c.expect);
    });
  }

  it('refuses an end before the start', () => {
    assert.throws(
      () => readSeries(view, { ...base, startS: 10, endS: 10, interval: 10 }),
      /request end time before start time/,
    );
  });

  it('refuses more than 20000 datapoints with emoncms message', () => {
    assert.throws(
      () => readSeries(view, { ...base, startS: 0, endS: 10 * 30000, interval: 10 }),
      /^ReadError: request datapoint limit reached \(20000\), increase request interval or reduce time range, requested datapoints = 30000$/,
    );
  });
});

describe('calendar buckets', () => {
  it('a London day has 23 hours when the clocks go forward and 25 when they go back', () => {
    const spring = calendarBoundaries(
      Date.UTC(2026, 2, 28, 12) / 1000,
      Date.UTC(2026, 2, 29, 12) / 1000,
      'daily',
      'Europe/London',
    );
    assert.deepEqual(spring.map(iso), [
      '2026-03-28T00:00:00.000Z',
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T23:00:00.000Z',
    ]);
    const autumn = calendarBoundaries(
      Date.UTC(2026, 9, 25, 6) / 1000,
      Date.UTC(2026, 9, 25, 6) / 1000,
      'daily',
      'Europe/London',
    );
    assert.deepEqual(autumn.map(iso), ['2026-10-24T23:00:00.000Z', '2026-10-26T00:00:00.000Z']);
  });

  it('weekly moves forward to the Monday on or after the start (PHP "this monday")', () => {
    // Sunday 22 Nov 2026 → Monday 23 Nov; Tuesday 24 Nov → Monday 30 Nov
    const fromSunday = calendarBoundaries(
      Date.UTC(2026, 10, 22, 9) / 1000,
      Date.UTC(2026, 10, 29) / 1000,
      'weekly',
      'UTC',
    );
    assert.equal(iso(fromSunday[0]!), '2026-11-23T00:00:00.000Z');
    const fromTuesday = calendarBoundaries(
      Date.UTC(2026, 10, 24, 9) / 1000,
      Date.UTC(2026, 11, 8) / 1000,
      'weekly',
      'UTC',
    );
    assert.equal(iso(fromTuesday[0]!), '2026-11-30T00:00:00.000Z');
  });

  it('monthly and annual start on the 1st in the zone', () => {
    const months = calendarBoundaries(
      Date.UTC(2026, 0, 15) / 1000,
      Date.UTC(2026, 3, 1) / 1000,
      'monthly',
      'America/New_York',
    );
    assert.deepEqual(months.map(iso), [
      '2026-01-01T05:00:00.000Z',
      '2026-02-01T05:00:00.000Z',
      '2026-03-01T05:00:00.000Z',
      '2026-04-01T04:00:00.000Z',
    ]);
    const years = calendarBoundaries(
      Date.UTC(2025, 5, 1) / 1000,
      Date.UTC(2026, 5, 1) / 1000,
      'annual',
      'Europe/London',
    );
    assert.deepEqual(years.map(iso), [
      '2025-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });

  it('a day that starts after a midnight DST jump begins when the clocks jump (Santiago)', () => {
    const days = calendarBoundaries(
      Date.UTC(2026, 8, 5, 12) / 1000,
      Date.UTC(2026, 8, 6, 12) / 1000,
      'daily',
      'America/Santiago',
    );
    assert.deepEqual(days.map(iso), [
      '2026-09-05T04:00:00.000Z',
      '2026-09-06T04:00:00.000Z',
      '2026-09-07T03:00:00.000Z',
    ]);
  });

  it('daily averages on a 23-hour day average 23 hours', () => {
    const tz = 'Europe/London';
    const startS = Date.UTC(2026, 2, 28) / 1000;
    // hourly feed: value = hour index
    const values = Array.from({ length: 72 }, (_, i) => i);
    const view = memoryView(3600, startS, values);
    const out = readSeries(view, {
      startS,
      endS: startS + 2 * 86400,
      interval: 'daily',
      average: true,
      skipMissing: false,
      timeZone: tz,
    });
    assert.deepEqual(out.slice(0, 2), [
      [startS, 11.5], // 24 h: 0..23
      [startS + 86400, 35], // 23 h: 24..46
    ]);
  });
});
