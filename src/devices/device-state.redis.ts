import type { Redis } from 'ioredis';
import type { RedisKeys } from '../state/keys.js';
import type { DeviceState } from './driver.js';
import type { DeviceStateStore } from './ports.js';

/** Device states as one Redis hash, device id → JSON: volatile, like every last value. */
export class RedisDeviceStateStore implements DeviceStateStore {
  constructor(
    private readonly redis: () => Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get(deviceId: number): Promise<DeviceState | undefined> {
    return decode(await this.redis().hget(this.keys.deviceStates(), String(deviceId)));
  }

  async set(deviceId: number, state: DeviceState): Promise<void> {
    await this.redis().hset(this.keys.deviceStates(), String(deviceId), JSON.stringify(state));
  }

  async setMany(states: ReadonlyMap<number, DeviceState>): Promise<void> {
    if (states.size === 0) return;
    const fields: Record<string, string> = {};
    for (const [id, state] of states) fields[String(id)] = JSON.stringify(state);
    await this.redis().hset(this.keys.deviceStates(), fields);
  }

  async delete(deviceId: number): Promise<void> {
    await this.redis().hdel(this.keys.deviceStates(), String(deviceId));
  }

  async all(): Promise<Map<number, DeviceState>> {
    const hash = await this.redis().hgetall(this.keys.deviceStates());
    const out = new Map<number, DeviceState>();
    for (const [field, json] of Object.entries(hash)) {
      const state = decode(json);
      if (state && /^\d+$/.test(field)) out.set(Number(field), state);
    }
    return out;
  }
}

/** A stored state, or undefined for a missing or unreadable one (an older hub's shape). */
function decode(json: string | null): DeviceState | undefined {
  if (json === null) return undefined;
  try {
    const value = JSON.parse(json) as DeviceState;
    return value && typeof value === 'object' && Array.isArray(value.relays) ? value : undefined;
  } catch {
    return undefined;
  }
}
