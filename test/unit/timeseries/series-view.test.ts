import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSeries } from '../../../src/timeseries/read-query.js';
import type { BufferedPoint, FeedReaderPort } from '../../../src/timeseries/ports.js';
import { overlayView } from '../../../src/timeseries/series-view.js';
import { MemoryWriteBuffer } from '../../../src/timeseries/memory-buffer.js';

const INTERVAL_S = 10;
const START_S = 1_700_000_000;

/** A feed file of `values` from START_S, read slot by slot as the real reader does. */
function fileOf(values: number[]): FeedReaderPort {
  const first = START_S / INTERVAL_S;
  const at = (slot: number) => values[slot - first] ?? NaN;
  return {
    feed: { intervalS: INTERVAL_S, startTimeS: START_S, npoints: values.length },
    historyStartSlot: first,
    raw: (from, to) => Float32Array.from({ length: to - from }, (_, i) => at(from + i)),
    sum: (from, to) => {
      let sum = 0;
      let count = 0;
      for (let s = from; s < to; s++) {
        if (Number.isNaN(at(s))) continue;
        sum += at(s);
        count++;
      }
      return { sum, count, min: Infinity, max: -Infinity };
    },
    close: () => undefined,
  };
}

describe('reads over a large write-behind backlog (finding 6)', () => {
  it('reads 200,000 buffered points over a file, hourly averages equal to a plain reference', () => {
    const file = Array.from({ length: 1000 }, (_, i) => i % 7);
    const buffered: BufferedPoint[] = Array.from({ length: 200_000 }, (_, i) => ({
      tsS: START_S + 500 * INTERVAL_S + i * INTERVAL_S, // half over the file's end, then beyond it
      value: (i % 13) + 0.5,
      join: false,
    }));
    const view = overlayView(fileOf(file), buffered);
    const endS = START_S + (500 + 200_000) * INTERVAL_S;
    assert.equal(view.endSlot, endS / INTERVAL_S);

    const merged = new Map<number, number>();
    file.forEach((v, i) => merged.set(START_S / INTERVAL_S + i, v));
    for (const p of buffered) merged.set(p.tsS / INTERVAL_S, p.value);
    const t0 = performance.now();
    const rows = readSeries(view, {
      startS: START_S,
      endS,
      interval: 3600,
      average: true,
      skipMissing: false,
      timeZone: 'UTC',
    });
    const elapsedMs = performance.now() - t0;
    assert.equal(rows.length, Math.floor((endS - START_S) / 3600) + 1);
    for (const [tS, value] of rows) {
      let sum = 0;
      let count = 0;
      for (let s = tS / INTERVAL_S; s < (tS + 3600) / INTERVAL_S; s++) {
        const v = merged.get(s);
        if (v === undefined) continue;
        sum += v;
        count++;
      }
      assert.ok(Math.abs((value ?? NaN) - sum / count) < 1e-9, `bucket ${tS}: ${value} vs ${sum / count}`);
    }
    assert.equal(view.valueAt(endS / INTERVAL_S - 1), buffered.at(-1)!.value);
    assert.ok(elapsedMs < 5000, `took ${Math.round(elapsedMs)} ms (a scan of the backlog per bucket)`);
  });

  it('takes a batch of 500,000 points into the memory buffer at once', async () => {
    const buffer = new MemoryWriteBuffer(1_000_000);
    const points = Array.from({ length: 500_000 }, (_, i) => ({ tsS: i * 10, value: i, join: false }));
    await buffer.append(1, points);
    assert.equal(buffer.held, 500_000);
  });
});
