import type { DeviceKind } from './device-topics.js';
import type { DeviceState } from './driver.js';

/** A device as stored: its grants are not stored but derived from kind and topic name. */
export interface DeviceRow {
  id: number;
  name: string;
  /** Where it is, as a person calls it ("Kitchen"); null when not said. */
  room: string | null;
  kind: DeviceKind;
  /** Its own topic level (a node, a Tasmota topic, a Shelly id, an OpenEVSE base). */
  topicName: string;
  mqttUsername: string;
  createdAtMs: number;
}

export interface Device extends DeviceRow {
  publish: string[];
  subscribe: string[];
  read: string[];
}

export interface DeviceRowWithSecret extends DeviceRow {
  secretSha256: string;
}

/** What a person may change of a device (PATCH /api/v1/devices/:id); absent fields stay. */
export interface DeviceChange {
  name?: string;
  room?: string | null;
}

export interface DeviceRepo {
  insert(device: Omit<DeviceRowWithSecret, 'id'>): DeviceRowWithSecret;
  byUsername(username: string): DeviceRowWithSecret | undefined;
  get(id: number): DeviceRow | undefined;
  list(): DeviceRow[];
  /** false when the device does not exist. */
  update(id: number, change: DeviceChange): boolean;
  /** Its driver config as stored (JSON text), undefined when the device does not exist. */
  driverConfig(id: number): string | undefined;
  setDriverConfig(id: number, json: string): boolean;
  delete(id: number): boolean;
}

/** Each device's last known state (Redis in hubd, memory in service tests). */
export interface DeviceStateStore {
  get(deviceId: number): Promise<DeviceState | undefined>;
  set(deviceId: number, state: DeviceState): Promise<void>;
  /** Several at once (one round trip): the runner writes what changed in a short window together. */
  setMany(states: ReadonlyMap<number, DeviceState>): Promise<void>;
  delete(deviceId: number): Promise<void>;
  all(): Promise<Map<number, DeviceState>>;
}

/** A signed-in device with what it may do now (a gateway yields the nodes others own). */
export interface DeviceLogin extends Device {
  publishExcept: string[];
}

/** What the broker asks of the devices: who a login is, and the node topics devices own. */
export interface DeviceLogins {
  verify(username: string, secret: string): DeviceLogin | undefined;
  login(id: number): DeviceLogin | undefined;
  ownedNodeRoots(): string[];
}
