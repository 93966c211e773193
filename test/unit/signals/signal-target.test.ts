import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  combineSignals,
  normalise,
  targetSchema,
  type OptimisationTarget,
} from '../../../src/signals/signal-target.js';
import type { Signal } from '../../../src/signals/signal.js';

const S0 = 1_795_867_200; // a multiple of 3600
const sig = (values: number[], over: Partial<Signal> = {}): Signal => ({
  startS: S0,
  intervalS: 1800,
  values,
  unit: 'x',
  optimise: 'min',
  source: 'test',
  receivedAtS: S0,
  ...over,
});

const price = sig([10, 30, 20, 40], { unit: 'p/kWh' }); // normalised 0, 2/3, 1/3, 1
const carbon = sig([400, 100, 100, 250], { unit: 'gCO2/kWh' }); // 1, 0, 0, 0.5
const hydro = sig([0, 50, 100, 100], { unit: 'kW', optimise: 'max' }); // 1, 0.5, 0, 0
const flat = sig([12, 12, 12, 12]);
const signals = new Map(Object.entries({ price, carbon, hydro, flat }));

const round = (values: readonly number[]) => values.map((v) => Math.round(v * 1000) / 1000);
const target = (...terms: [string, number][]): OptimisationTarget => ({
  terms: terms.map(([signal, weight]) => ({ signal, weight })),
});

describe('optimisation target', () => {
  // One signal is used as it is (its unit kept: a plan's cost reads in pence or grams); a mix is
  // scaled 0..1 per signal first.
  const cases: [string, OptimisationTarget, number[], string[], ('min' | 'max')?][] = [
    ['price alone: as it is', target(['price', 1]), [10, 30, 20, 40], []],
    ['carbon alone', target(['carbon', 1]), [400, 100, 100, 250], []],
    ['hydro alone, optimise max as it is', target(['hydro', 1]), [0, 50, 100, 100], [], 'max'],
    [
      'pence and gCO2 half and half: neither scale dominates',
      target(['price', 1], ['carbon', 1]),
      [0.5, 0.333, 0.167, 0.75],
      [],
    ],
    ['weights 3:1', target(['price', 3], ['carbon', 1]), [0.25, 0.5, 0.25, 0.875], []],
    ['a weight of 0 leaves a signal out', target(['price', 1], ['carbon', 0]), [10, 30, 20, 40], []],
    [
      'a flat signal adds nothing (not a fallback)',
      target(['price', 1], ['flat', 1]),
      [0, 0.333, 0.167, 0.5],
      [],
    ],
    [
      'a missing signal is named, the rest used',
      target(['price', 1], ['community', 1]),
      [10, 30, 20, 40],
      ['community'],
    ],
  ];
  for (const [name, t, expected, missing, optimise = 'min'] of cases)
    it(name, () => {
      const combined = combineSignals(t, signals);
      assert.deepEqual(round([...combined.signal!.values]), expected);
      assert.deepEqual(combined.missing, missing);
      assert.equal(combined.signal!.optimise, optimise);
    });

  it('a mix is a score; one signal keeps its unit and source', () => {
    assert.deepEqual(
      [
        combineSignals(target(['price', 1]), signals).signal?.unit,
        combineSignals(target(['price', 1]), signals).signal?.source,
      ],
      ['p/kWh', 'test'],
    );
    assert.equal(combineSignals(target(['price', 1], ['carbon', 1]), signals).signal?.unit, 'score');
  });

  it('gives no series at all when every signal is missing (never a flat one)', () => {
    assert.deepEqual(combineSignals(target(['community', 1]), signals), {
      signal: undefined,
      missing: ['community'],
    });
  });

  it('works over the horizon all cover, on the finest slot', () => {
    const hourly = sig([5, 1], { intervalS: 3600, startS: S0 + 1800 * 0 }); // 2 h from S0
    const later = sig([1, 2, 3, 4], { intervalS: 900, startS: S0 + 900 }); // S0+15 min .. S0+75 min
    const combined = combineSignals(
      target(['a', 1], ['b', 1]),
      new Map([
        ['a', hourly],
        ['b', later],
      ]),
    );
    const s = combined.signal!;
    assert.deepEqual([s.startS, s.intervalS, s.values.length], [S0 + 900, 900, 4]);
    // a: 5,5,5,1 → 1,1,1,0; b: 0,1/3,2/3,1
    assert.deepEqual(round(s.values), [0.5, 0.667, 0.833, 0.5]);
  });

  it('gives no series when the signals do not overlap in time', () => {
    const later = sig([1, 2], { startS: S0 + 4 * 1800 });
    assert.equal(
      combineSignals(
        target(['price', 1], ['b', 1]),
        new Map([
          ['price', price],
          ['b', later],
        ]),
      ).signal,
      undefined,
    );
  });

  it('normalises min and max the opposite way', () => {
    assert.deepEqual(normalise([2, 4, 6], 'min'), [0, 0.5, 1]);
    assert.deepEqual(normalise([2, 4, 6], 'max'), [1, 0.5, 0]);
  });

  const badTargets: [string, unknown][] = [
    ['no terms', { terms: [] }],
    ['a signal twice', target(['price', 1], ['price', 2])],
    ['all weights 0', target(['price', 0])],
    ['a negative weight', target(['price', -1])],
    ['a bad name', target(['Price!', 1])],
    ['an extra field', { terms: [{ signal: 'price', weight: 1 }], mode: 'x' }],
  ];
  for (const [name, body] of badTargets)
    it(`refuses a target with ${name}`, () => assert.equal(targetSchema.safeParse(body).success, false));
});
