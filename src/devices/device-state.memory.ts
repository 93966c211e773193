import type { DeviceState } from './driver.js';
import type { DeviceStateStore } from './ports.js';

/** The DeviceStateStore in memory, for service tests; copies in and out as Redis's JSON does. */
export class MemoryDeviceStateStore implements DeviceStateStore {
  private readonly states = new Map<number, DeviceState>();

  async get(deviceId: number): Promise<DeviceState | undefined> {
    const state = this.states.get(deviceId);
    return state && structuredClone(state);
  }

  async set(deviceId: number, state: DeviceState): Promise<void> {
    this.states.set(deviceId, structuredClone(state));
  }

  async setMany(states: ReadonlyMap<number, DeviceState>): Promise<void> {
    for (const [id, state] of states) this.states.set(id, structuredClone(state));
  }

  async delete(deviceId: number): Promise<void> {
    this.states.delete(deviceId);
  }

  async all(): Promise<Map<number, DeviceState>> {
    return new Map([...this.states].map(([id, state]) => [id, structuredClone(state)]));
  }
}
