import { DeviceControlService } from '../../../src/devices/device-control-service.js';
import { DeviceRunner } from '../../../src/devices/device-runner.js';
import { MemoryDeviceStateStore } from '../../../src/devices/device-state.memory.js';
import type { DeviceKind } from '../../../src/devices/device-topics.js';
import { driverFor } from '../../../src/devices/driver-registry.js';
import type { DeviceRow } from '../../../src/devices/ports.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { EventBus, type HubEvents } from '../../../src/shared/event-bus.js';
import { silentLog } from '../../../src/shared/logger.js';
import { InMemoryMqtt } from '../../helpers/in-memory-mqtt.js';

/** Device records in memory, as DeviceService keeps them in SQLite. */
export class FakeDevices {
  readonly rows = new Map<number, DeviceRow>();
  readonly configs = new Map<number, unknown>();

  add(id: number, kind: DeviceKind, topicName: string): DeviceRow {
    const row: DeviceRow = {
      id,
      name: `device ${id}`,
      room: null,
      kind,
      topicName,
      mqttUsername: `dev-${kind}-${topicName}`.toLowerCase(),
      createdAtMs: 0,
    };
    this.rows.set(id, row);
    return row;
  }

  list = (): DeviceRow[] => [...this.rows.values()];
  get = (id: number): DeviceRow | undefined => this.rows.get(id);
  driverConfig = (id: number): unknown => (this.rows.has(id) ? (this.configs.get(id) ?? {}) : undefined);
  setDriverConfig = (id: number, config: unknown): boolean => {
    this.configs.set(id, config);
    return this.rows.has(id);
  };
}

export const T0 = 1_790_000_000_000;

/** The runner and control over in-memory ports, the real drivers and a ManualClock. */
export function runtime(settings = { confirmTimeoutMs: 3000, retries: 2 }) {
  const clock = new ManualClock(T0);
  const bus = new EventBus(silentLog);
  const mqtt = new InMemoryMqtt();
  const store = new MemoryDeviceStateStore();
  const devices = new FakeDevices();
  const runner = new DeviceRunner({ devices, drivers: driverFor, mqtt, store, bus, clock, log: silentLog });
  const control = new DeviceControlService(runner, bus, clock, settings, silentLog, (id) =>
    devices.rows.has(id),
  );
  const events: HubEvents['device.state.changed'][] = [];
  bus.on('device.state.changed', (e) => events.push(e));
  const start = async () => {
    control.open();
    await runner.start();
  };
  const stop = async () => {
    control.close();
    await runner.stop();
  };
  /** What the device publishes, through the port as the broker would hand it on. */
  const fromDevice = (topic: string, payload: string) => mqtt.publish(topic, payload, { qos: 0 });
  const sent = () => mqtt.published.filter((m) => m.topic.startsWith('cmnd/'));
  return { clock, bus, mqtt, store, devices, runner, control, events, start, stop, fromDevice, sent };
}
