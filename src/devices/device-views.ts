import type { ControlStatusView, DeviceView } from '../api/contract.js';
import type { DeviceCapability, DeviceState } from './driver.js';
import type { DeviceRow } from './ports.js';

/** Where a device's view comes from: its record, the runner's state and the control status. */
export interface DeviceViewSources {
  devices: { list(): DeviceRow[]; get(id: number): DeviceRow | undefined };
  runner: { state(id: number): DeviceState; capabilities(id: number): DeviceCapability[] };
  control: { status(id: number): ControlStatusView | null };
}

/** Devices as /api/v1/devices and /ws show them. */
export class DeviceViews {
  constructor(private readonly sources: DeviceViewSources) {}

  list(): DeviceView[] {
    return this.sources.devices.list().map((row) => this.view(row));
  }

  get(id: number): DeviceView | undefined {
    const row = this.sources.devices.get(id);
    return row && this.view(row);
  }

  private view(row: DeviceRow): DeviceView {
    const { runner, control } = this.sources;
    const state = runner.state(row.id);
    return {
      id: row.id,
      name: row.name,
      room: row.room,
      kind: row.kind,
      topicName: row.topicName,
      mqttUsername: row.mqttUsername,
      createdAtMs: row.createdAtMs,
      capabilities: runner.capabilities(row.id),
      state: { ...state, relays: [...state.relays], ev: state.ev && { ...state.ev } },
      control: control.status(row.id),
      // The template link from a device to its feeds is not there yet (issue 13, item 11).
      feedIds: [],
    };
  }
}
