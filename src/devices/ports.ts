import type { DeviceKind } from './device-topics.js';

export interface Device {
  id: number;
  name: string;
  kind: DeviceKind;
  mqttUsername: string;
  publish: string[];
  subscribe: string[];
  createdAtMs: number;
}

export interface DeviceRecord extends Device {
  secretSha256: string;
}

export interface DeviceRepo {
  insert(device: Omit<DeviceRecord, 'id'>): DeviceRecord;
  byUsername(username: string): DeviceRecord | undefined;
  list(): Device[];
  delete(id: number): boolean;
}
