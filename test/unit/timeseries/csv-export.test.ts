import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { samplesToCsv } from '../../../src/timeseries/csv-export.js';

describe('CSV as emoncms writes it', () => {
  const samples: [number, number | null][] = [
    [1_782_864_000, 230.104], // 2026-07-01T00:00:00Z, BST
    [1_782_864_010, null],
  ];
  it('unix times, two decimals, null for missing, no header', () => {
    assert.equal(samplesToCsv(samples, 'unix', 'Europe/London'), '1782864000,230.10\n1782864010,null\n');
  });
  it('excel times are d/m/Y H:i:s in the hub timezone', () => {
    assert.equal(
      samplesToCsv(samples, 'excel', 'Europe/London'),
      '01/07/2026 01:00:00,230.10\n01/07/2026 01:00:10,null\n',
    );
  });
  it('iso8601 times carry the zone offset', () => {
    assert.equal(
      samplesToCsv(samples.slice(0, 1), 'iso8601', 'Europe/London', 1),
      '2026-07-01T01:00:00+01:00,230.1\n',
    );
    assert.equal(samplesToCsv(samples.slice(0, 1), 'iso8601', 'UTC'), '2026-07-01T00:00:00+00:00,230.10\n');
  });
});
