import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveSnapshot, LiveStateStore } from '../../src/ingest/ports.js';
import type { TimeValue } from '../../src/ingest/process-types.js';

/** A fresh, empty store of the adapter under test. */
export type LiveStateFactory = () => Promise<LiveStateStore>;

const snapshot = (parts: Partial<LiveSnapshot> = {}): LiveSnapshot => ({
  inputs: parts.inputs ?? new Map(),
  feeds: parts.feeds ?? new Map(),
  processes: parts.processes ?? new Map(),
});
const tv = (timeS: number, value: number | null): TimeValue => ({ timeS, value });
const plain = (s: LiveSnapshot) => ({
  inputs: [...s.inputs].sort(([a], [b]) => a - b),
  feeds: [...s.feeds].sort(([a], [b]) => a - b),
  processes: [...s.processes].sort(([a], [b]) => a.localeCompare(b)),
});

/** What IngestService relies on from any LiveStateStore (ports.ts): it loads once, then writes changes. */
export function liveStateContract(name: string, make: LiveStateFactory): void {
  describe(`LiveStateStore contract: ${name}`, () => {
    it('loads an empty snapshot before anything was written', async () => {
      const store = await make();
      assert.deepEqual(plain(await store.load()), { inputs: [], feeds: [], processes: [] });
    });

    it('gives back what was written: times, exact values and nulls, per kind', async () => {
      const store = await make();
      await store.write(
        snapshot({
          inputs: new Map([
            [1, tv(1_790_000_000, 230.5)],
            [2, tv(1_790_000_001, null)],
          ]),
          feeds: new Map([[1, tv(1_790_000_002, 0.1 + 0.2)]]),
          processes: new Map([['whacc:12', tv(1_790_000_003, -1e-300)]]),
        }),
      );
      assert.deepEqual(plain(await store.load()), {
        inputs: [
          [1, tv(1_790_000_000, 230.5)],
          [2, tv(1_790_000_001, null)],
        ],
        feeds: [[1, tv(1_790_000_002, 0.1 + 0.2)]],
        processes: [['whacc:12', tv(1_790_000_003, -1e-300)]],
      });
    });

    it('merges each write into what is there: a later value replaces, others stay', async () => {
      const store = await make();
      await store.write(
        snapshot({
          inputs: new Map([
            [1, tv(10, 1)],
            [2, tv(10, 2)],
          ]),
        }),
      );
      await store.write(snapshot({ inputs: new Map([[2, tv(20, 22)]]), feeds: new Map([[5, tv(20, 5)]]) }));
      await store.write(snapshot()); // nothing changed in a batch
      assert.deepEqual(plain(await store.load()), {
        inputs: [
          [1, tv(10, 1)],
          [2, tv(20, 22)],
        ],
        feeds: [[5, tv(20, 5)]],
        processes: [],
      });
    });

    it('forgets the inputs named, and neither other inputs nor a feed of the same id', async () => {
      const store = await make();
      const same = new Map([
        [1, tv(10, 1)],
        [2, tv(10, 2)],
        [3, tv(10, 3)],
      ]);
      await store.write(snapshot({ inputs: same, feeds: new Map(same) }));
      await store.forgetInputs([1, 3, 99]);
      await store.forgetInputs([]);
      const loaded = plain(await store.load());
      assert.deepEqual(loaded.inputs, [[2, tv(10, 2)]]);
      assert.deepEqual(loaded.feeds, [...same]);
    });

    it('keeps its state apart from the maps a caller holds', async () => {
      const store = await make();
      const inputs = new Map([[1, tv(10, 1)]]);
      await store.write(snapshot({ inputs }));
      inputs.set(1, tv(99, 99));
      const loaded = await store.load();
      loaded.inputs.set(2, tv(50, 5));
      assert.deepEqual(plain(await store.load()).inputs, [[1, tv(10, 1)]]);
    });
  });
}
