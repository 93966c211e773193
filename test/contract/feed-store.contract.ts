import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BufferedPoint, FeedStore } from '../../src/timeseries/ports.js';
import { ReadError, type ReadQuery } from '../../src/timeseries/read-query.js';

/** A store of the adapter under test over an empty feeds directory, and a scratch directory. */
export type FeedStoreFactory = () => Promise<{ store: FeedStore; scratchDir: string }>;

const T = 1_789_990_000; // a multiple of 10: slot-aligned
const p = (tsS: number, value: number, join = false): BufferedPoint => ({ tsS, value, join });
const raw = (startS: number, endS: number): ReadQuery => ({
  startS,
  endS,
  interval: 10,
  average: false,
  skipMissing: false,
  timeZone: 'UTC',
});
const floats = (bytes: Uint8Array) => [...new Float32Array(new Uint8Array(bytes).buffer)];

/** What FeedService, the flusher and the `hub` command rely on from any FeedStore (ports.ts). */
export function feedStoreContract(name: string, make: FeedStoreFactory): void {
  describe(`FeedStore contract: ${name}`, () => {
    it('creates an empty feed that exists; an unknown id does not', async () => {
      const { store } = await make();
      store.create(1, 10);
      assert.equal(store.exists(1), true);
      assert.equal(store.exists(2), false);
      assert.equal(store.directoryProblem(), undefined);
      assert.deepEqual(store.read(1), { intervalS: 10, startTimeS: 0, npoints: 0 });
      assert.equal(store.partialBytes(1), 0);
    });

    it('writes points on the grid, pads a gap, and the last of a slot wins', async () => {
      const { store } = await make();
      store.create(1, 10);
      const outcome = await store.writePoints(1, [p(T, 1), p(T + 10, 2), p(T + 17, 3), p(T + 30, 4)]);
      // every point was taken (two of them into one slot): `written` counts points, not slots
      assert.deepEqual(outcome, { written: 4, old: 0, refused: 0, refusals: [] });
      assert.deepEqual(store.read(1), { intervalS: 10, startTimeS: T, npoints: 4 });
      assert.deepEqual(await store.query(1, [], raw(T, T + 30)), [
        [T, 1],
        [T + 10, 3],
        [T + 20, null],
        [T + 30, 4],
      ]);
      assert.deepEqual(floats(await store.exportBytes(1, 0)), [1, 3, NaN, 4]);
    });

    it("counts a point before the feed's start as old and writes the rest", async () => {
      const { store } = await make();
      store.create(1, 10);
      await store.writePoints(1, [p(T, 1)]);
      const outcome = await store.writePoints(1, [p(T - 50, 9), p(T + 10, 2)]);
      assert.deepEqual([outcome.written, outcome.old, outcome.refused], [1, 1, 0]);
      assert.deepEqual(await store.query(1, [], raw(T - 50, T + 10)), [
        [T - 50, null],
        [T - 40, null],
        [T - 30, null],
        [T - 20, null],
        [T - 10, null],
        [T, 1],
        [T + 10, 2],
      ]);
    });

    it('lays buffered points over the files in reads, the last value and the nearest value', async () => {
      const { store } = await make();
      store.create(1, 10);
      await store.writePoints(1, [p(T, 1), p(T + 10, 2)]);
      const buffered = [p(T + 10, 20), p(T + 20, 30)];
      assert.deepEqual(await store.query(1, buffered, raw(T, T + 20)), [
        [T, 1],
        [T + 10, 20],
        [T + 20, 30],
      ]);
      assert.deepEqual(await store.lastValue(1, buffered), { tsS: T + 20, value: 30 });
      assert.deepEqual(await store.lastValue(1, []), { tsS: T + 10, value: 2 });
      assert.equal(await store.valueAt(1, buffered, T + 14), 20);
      assert.equal(await store.valueAt(1, [], T + 6), 2, 'rounds to the nearest slot');
    });

    it('clears a feed to empty, trims its start, and deletes it', async () => {
      const { store } = await make();
      store.create(1, 10);
      store.create(2, 10);
      await store.writePoints(1, [p(T, 1)]);
      await store.writePoints(2, [p(T, 1), p(T + 10, 2), p(T + 20, 3), p(T + 30, 4)]);
      await store.clear(1);
      assert.deepEqual(store.read(1), { intervalS: 10, startTimeS: 0, npoints: 0 });
      await store.trim(2, T + 20);
      assert.deepEqual(store.read(2), { intervalS: 10, startTimeS: T + 20, npoints: 2 });
      assert.deepEqual(await store.query(2, [], raw(T + 20, T + 30)), [
        [T + 20, 3],
        [T + 30, 4],
      ]);
      await store.delete(1);
      assert.equal(store.exists(1), false);
      assert.equal(store.exists(2), true);
    });

    it('imports a PHPFina .dat from elsewhere and reads it back', async () => {
      const { store, scratchDir } = await make();
      const source = join(scratchDir, 'source.dat');
      writeFileSync(source, new Uint8Array(new Float32Array([5, 6, 7]).buffer));
      store.create(3, 10);
      await store.importData(3, { intervalS: 10, startTimeS: T }, source, 3);
      assert.deepEqual(store.read(3), { intervalS: 10, startTimeS: T, npoints: 3 });
      assert.deepEqual(await store.query(3, [], raw(T, T + 20)), [
        [T, 5],
        [T + 10, 6],
        [T + 20, 7],
      ]);
      assert.equal((await store.repair(3)).truncatedBytes, 0);
    });

    it('rejects as the caller knows it: ReadError for a bad read, ENOENT for a missing feed', async () => {
      const { store } = await make();
      store.create(1, 10);
      await assert.rejects(store.query(1, [], raw(T, T - 10)), (err) => err instanceof ReadError);
      await assert.rejects(store.writePoints(2, [p(T, 1)]), { code: 'ENOENT' });
      assert.deepEqual(await store.writePoints(1, [p(T, 1)]), {
        written: 1,
        old: 0,
        refused: 0,
        refusals: [],
      });
    });
  });
}
