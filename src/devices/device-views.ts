import type { ControlStatusView, DeviceView } from '../api/contract.js';
import { processByKey } from '../ingest/process-catalog.js';
import type { ProcessStep } from '../ingest/process-types.js';
import type { DeviceCapability, DeviceState } from './driver.js';
import type { DeviceRow } from './ports.js';

/** Where a device's view comes from: its record, the runner's state and the control status. */
export interface DeviceViewSources {
  devices: { list(): DeviceRow[]; get(id: number): DeviceRow | undefined };
  runner: { state(id: number): DeviceState; capabilities(id: number): DeviceCapability[] };
  control: { status(id: number): ControlStatusView | null };
  /** The inputs (ingest): the feeds a device's node logs to are its feeds. */
  inputs: { list(): { node: string; processList: readonly ProcessStep[] }[] };
}

/** The feeds the inputs of `node` write to (log_to_feed, accumulators…), in the order first named. */
export function feedIdsOfNode(
  inputs: readonly { node: string; processList: readonly ProcessStep[] }[],
  node: string,
): number[] {
  const ids = new Set<number>();
  for (const input of inputs)
    if (input.node === node)
      for (const step of input.processList)
        if (typeof step.arg === 'number' && processByKey(String(step.id))?.argType === 'feed')
          ids.add(step.arg);
  return [...ids];
}

/** Devices as /api/v1/devices and /ws show them. */
export class DeviceViews {
  constructor(private readonly sources: DeviceViewSources) {}

  list(): DeviceView[] {
    const inputs = this.sources.inputs.list();
    return this.sources.devices.list().map((row) => this.view(row, inputs));
  }

  get(id: number): DeviceView | undefined {
    const row = this.sources.devices.get(id);
    return row && this.view(row, this.sources.inputs.list());
  }

  private view(row: DeviceRow, inputs: Parameters<typeof feedIdsOfNode>[0]): DeviceView {
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
      feedIds: feedIdsOfNode(inputs, row.topicName),
    };
  }
}
