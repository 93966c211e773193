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
