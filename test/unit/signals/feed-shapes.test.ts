import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseFeed, type FeedKind } from '../../../src/signals/feed-shapes.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/signals/${name}`, import.meta.url), 'utf8'));

const T = (iso: string) => Date.parse(iso) / 1000;
const NOW = T('2026-11-28T12:10:00Z');

const agile = (slots: [string, number][]) => ({
  results: slots.map(([from, value]) => ({
    value_inc_vat: value,
    valid_from: from,
    valid_to: new Date(Date.parse(from) + 1_800_000).toISOString().replace('.000', ''),
  })),
});

describe('fetched forecast shapes', () => {
  it('takes Octopus standard-unit-rates newest first, from the slot now on, inc VAT', () => {
    const parsed = parseFeed('agile', fixture('agile-standard-unit-rates.json'), 'fetch:agile', NOW);
    assert.ok(parsed.ok);
    const s = parsed.value;
    assert.equal(s.startS, T('2026-11-28T12:00:00Z'), 'the slot covering now; earlier ones dropped');
    assert.equal(s.intervalS, 1800);
    assert.equal(s.values.length, 70, '12:00 on the 28th to 23:00 on the 29th');
    assert.deepEqual([s.unit, s.optimise, s.source, s.receivedAtS], ['p/kWh', 'min', 'fetch:agile', NOW]);
    assert.equal(s.values.at(-1), 5.761, 'the newest entry is last');
  });

  it('stops an Agile signal at the first gap instead of filling it', () => {
    const body = agile([
      ['2026-11-28T13:30:00Z', 30],
      ['2026-11-28T12:00:00Z', 10],
      ['2026-11-28T12:30:00Z', 20],
      // 13:00 missing
    ]);
    const parsed = parseFeed('agile', body, 'fetch:agile', NOW);
    assert.ok(parsed.ok);
    assert.deepEqual([parsed.value.startS, parsed.value.values], [T('2026-11-28T12:00:00Z'), [10, 20]]);
  });

  it('takes the GB carbon-intensity forecast (times without seconds)', () => {
    const parsed = parseFeed('carbon-intensity', fixture('carbon-intensity-fw48h.json'), 'fetch:carbon', NOW);
    assert.ok(parsed.ok);
    assert.deepEqual(
      [parsed.value.startS, parsed.value.values.length, parsed.value.unit, parsed.value.values[0]],
      [T('2026-11-28T12:00:00Z'), 48, 'gCO2/kWh', 180],
    );
  });

  it('takes a Solcast forecast as kW, optimise max, each slot ending at period_end', () => {
    const body = {
      forecasts: [
        { pv_estimate: 1.5, period_end: '2026-11-28T13:00:00.0000000Z', period: 'PT30M' },
        { pv_estimate: 0.75, period_end: '2026-11-28T12:30:00.0000000Z', period: 'PT30M' },
      ],
    };
    const parsed = parseFeed('solcast', body, 'fetch:solar', NOW);
    assert.ok(parsed.ok);
    assert.deepEqual(
      [parsed.value.startS, parsed.value.values, parsed.value.optimise, parsed.value.unit],
      [T('2026-11-28T12:00:00Z'), [0.75, 1.5], 'max', 'kW'],
    );
  });

  const bad: [string, FeedKind, unknown, RegExp][] = [
    ['not an object', 'agile', 'hello', /no "results" array/],
    ['the wrong shape', 'agile', { data: [] }, /no "results" array/],
    ['no slots', 'agile', { results: [] }, /no slots/],
    [
      'a null price',
      'agile',
      {
        results: [
          { value_inc_vat: null, valid_from: '2026-11-28T12:00:00Z', valid_to: '2026-11-28T12:30:00Z' },
        ],
      },
      /entry 0 has no finite value/,
    ],
    [
      'an open-ended slot (a fixed tariff)',
      'agile',
      { results: [{ value_inc_vat: 20, valid_from: '2026-11-28T12:00:00Z', valid_to: null }] },
      /entry 0 has no valid time range/,
    ],
    [
      'a string value',
      'carbon-intensity',
      { data: [{ from: '2026-11-28T12:00Z', to: '2026-11-28T12:30Z', intensity: { forecast: '180' } }] },
      /no finite value/,
    ],
    [
      'mixed slot lengths',
      'agile',
      {
        results: [
          ...agile([['2026-11-28T12:00:00Z', 1]]).results,
          { value_inc_vat: 2, valid_from: '2026-11-28T12:30:00Z', valid_to: '2026-11-28T13:30:00Z' },
        ],
      },
      /not all 1800 s long/,
    ],
    [
      'a 7-minute slot',
      'agile',
      {
        results: [{ value_inc_vat: 2, valid_from: '2026-11-28T12:00:00Z', valid_to: '2026-11-28T12:07:00Z' }],
      },
      /slots of 420 s/,
    ],
    [
      'the same slot twice',
      'agile',
      agile([
        ['2026-11-28T12:00:00Z', 1],
        ['2026-11-28T12:00:00Z', 2],
      ]),
      /two slots start at 2026-11-28T12:00/,
    ],
    [
      'only the past',
      'agile',
      agile([
        ['2026-11-28T11:00:00Z', 1],
        ['2026-11-28T11:30:00Z', 2],
      ]),
      /every slot ends before now/,
    ],
    ['a huge value', 'agile', agile([['2026-11-28T12:00:00Z', 1e9]]), /no finite value/],
  ];
  for (const [name, kind, body, problem] of bad)
    it(`refuses ${name}`, () => {
      const parsed = parseFeed(kind, body, 'fetch:x', NOW);
      assert.equal(parsed.ok, false);
      assert.match((parsed as { problem: string }).problem, problem);
    });
});
