import type { DeviceKind } from './device-topics.js';

/** A device as stored: its grants are not stored but derived from kind and topic name. */
export interface DeviceRow {
  id: number;
  name: string;
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

export interface DeviceRepo {
  insert(device: Omit<DeviceRowWithSecret, 'id'>): DeviceRowWithSecret;
  byUsername(username: string): DeviceRowWithSecret | undefined;
  list(): DeviceRow[];
  delete(id: number): boolean;
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
