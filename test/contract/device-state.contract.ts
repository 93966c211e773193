import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceState } from '../../src/devices/driver.js';
import type { DeviceStateStore } from '../../src/devices/ports.js';

/** A fresh, empty store of the adapter under test. */
export type DeviceStateFactory = () => Promise<DeviceStateStore>;

const plug = (parts: Partial<DeviceState> = {}): DeviceState => ({
  online: true,
  relays: [true, null],
  powerW: 12.5,
  energyKWh: 0.1 + 0.2,
  ev: null,
  lastSeenMs: 1_790_000_000_123,
  ...parts,
});
const charger = plug({
  relays: [],
  ev: {
    evseState: 3,
    vehicleConnected: true,
    charging: true,
    currentLimitA: 16,
    energyLimitKWh: null,
    sessionEnergyKWh: 4.25,
  },
});

/** What DeviceRunner relies on from any DeviceStateStore (ports.ts). */
export function deviceStateContract(name: string, make: DeviceStateFactory): void {
  describe(`DeviceStateStore contract: ${name}`, () => {
    it('has nothing before anything was written', async () => {
      const store = await make();
      assert.equal(await store.get(1), undefined);
      assert.deepEqual([...(await store.all())], []);
    });

    it('gives back each state as written: nulls, floats, relays and a charger', async () => {
      const store = await make();
      await store.set(1, plug());
      await store.set(2, charger);
      await store.set(3, plug({ online: null, relays: [], powerW: null, energyKWh: null, lastSeenMs: null }));
      assert.deepEqual(await store.get(1), plug());
      assert.deepEqual(await store.get(2), charger);
      assert.deepEqual(
        [...(await store.all())].sort(([a], [b]) => a - b),
        [
          [1, plug()],
          [2, charger],
          [3, plug({ online: null, relays: [], powerW: null, energyKWh: null, lastSeenMs: null })],
        ],
      );
    });

    it('replaces a state on set and forgets only the device deleted', async () => {
      const store = await make();
      await store.set(1, plug());
      await store.set(2, plug({ powerW: 1 }));
      await store.set(1, plug({ relays: [false], powerW: 0 }));
      await store.delete(2);
      await store.delete(99);
      assert.deepEqual([...(await store.all())], [[1, plug({ relays: [false], powerW: 0 })]]);
      assert.equal(await store.get(2), undefined);
    });

    it('keeps its state apart from the objects a caller holds', async () => {
      const store = await make();
      const state = plug();
      await store.set(1, state);
      state.relays[0] = false;
      const loaded = (await store.get(1))!;
      loaded.powerW = 999;
      assert.deepEqual(await store.get(1), plug());
    });

    it('writes several at once, replacing those there and keeping the others', async () => {
      const store = await make();
      await store.set(1, plug());
      await store.set(2, plug({ powerW: 2 }));
      await store.setMany(
        new Map([
          [2, plug({ powerW: 20 })],
          [3, charger],
        ]),
      );
      await store.setMany(new Map());
      assert.deepEqual(
        [...(await store.all())].sort(([a], [b]) => a - b),
        [
          [1, plug()],
          [2, plug({ powerW: 20 })],
          [3, charger],
        ],
      );
    });
  });
}
