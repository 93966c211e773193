import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeTime, freshnessOf, type SignalEntry } from '../../../src/signals/signal-freshness.js';
import type { Signal } from '../../../src/signals/signal.js';

const T = (iso: string) => Date.parse(iso) / 1000;
const LONDON = 'Europe/London';
const NOW = T('2026-11-28T20:30:00Z'); // 26.5 h after 18:00 yesterday

const profile = (receivedIso: string, startIso: string, slots = 48): Signal => ({
  startS: T(startIso),
  intervalS: 1800,
  values: new Array<number>(slots).fill(1),
  unit: 'p/kWh',
  optimise: 'min',
  source: 'gateway:m1',
  receivedAtS: T(receivedIso),
});
const entry = (signal: Signal | undefined, lastError?: string): SignalEntry => ({
  name: 'price',
  what: 'day-ahead price profile',
  signal,
  ttlS: 26 * 3600,
  lastError,
});

describe('signal freshness', () => {
  const cases: [string, SignalEntry, boolean, string | undefined][] = [
    [
      'fresh: received this evening',
      entry(profile('2026-11-28T18:00:00Z', '2026-11-29T00:00:00Z')),
      false,
      undefined,
    ],
    ['missing', entry(undefined), true, 'no day-ahead price profile yet'],
    [
      'missing, with the reason the last one was refused',
      entry(undefined, 'gateway:m1: values[3] is not a finite number'),
      true,
      'no day-ahead price profile yet (last attempt: gateway:m1: values[3] is not a finite number)',
    ],
    [
      'older than its TTL',
      entry(profile('2026-11-27T18:00:00Z', '2026-11-28T00:00:00Z', 96)),
      true,
      'no day-ahead price profile since 18:00 yesterday',
    ],
    [
      'ended',
      entry(profile('2026-11-28T10:00:00Z', '2026-11-27T12:00:00Z')),
      true,
      'the day-ahead price profile ended at 12:00 today',
    ],
  ];
  for (const [name, e, stale, why] of cases)
    it(name, () =>
      assert.deepEqual(freshnessOf(e, NOW, LONDON), why === undefined ? { stale } : { stale, why }),
    );

  it('says times in the household zone, by day', () => {
    const now = T('2026-07-01T12:00:00Z'); // 13:00 BST
    assert.equal(describeTime(T('2026-07-01T17:00:00Z'), now, LONDON), '18:00 today');
    assert.equal(describeTime(T('2026-06-30T23:30:00Z'), now, LONDON), '00:30 today');
    assert.equal(describeTime(T('2026-06-30T17:00:00Z'), now, LONDON), '18:00 yesterday');
    assert.equal(describeTime(T('2026-07-02T06:00:00Z'), now, LONDON), '07:00 tomorrow');
    assert.equal(describeTime(T('2026-06-25T17:00:00Z'), now, LONDON), '18:00 on 2026-06-25');
  });
});
