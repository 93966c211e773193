import type { MqttPort, Unsubscribe } from '../broker/ports.js';
import type { CancelTimer, Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { DeviceKind } from './device-topics.js';
import {
  UNKNOWN_STATE,
  type DeviceCapability,
  type DeviceDriver,
  type DeviceState,
  type DriverDevice,
  type OutgoingMessage,
  type ReportedPart,
} from './driver.js';
import type { DeviceRow, DeviceStateStore } from './ports.js';

/** What the runner needs of the devices' records (DeviceService has it). */
export interface RunnerDevices {
  list(): DeviceRow[];
  get(id: number): DeviceRow | undefined;
  driverConfig(id: number): unknown;
  setDriverConfig(id: number, config: unknown): boolean;
}

/**
 * States reach Redis this long after they change, those of every device together: Redis only
 * bridges a restart (memory is what the hub shows), and 50 plugs switched at once then cost one
 * write, not 100.
 */
export const STORE_DELAY_MS = 100;

export type DriverLookup = (kind: DeviceKind) => DeviceDriver | undefined;

/** A device a driver has taken over, as the control service drives it. */
export interface DrivenDevice {
  driver: DeviceDriver;
  device: DriverDevice<unknown>;
  state: DeviceState;
  mqttUsername: string;
}

/**
 * Called with every state a device's own message produced (not online/offline from the broker)
 * and the parts that message itself reported.
 */
export type ReportListener = (
  deviceId: number,
  state: DeviceState,
  reported: readonly ReportedPart[],
) => void;

export interface DeviceRunnerDeps {
  devices: RunnerDevices;
  drivers: DriverLookup;
  /** Undefined when MQTT is turned off: states stay as stored and nothing can be sent. */
  mqtt: MqttPort | undefined;
  store: DeviceStateStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
}

interface Running {
  driver: DeviceDriver;
  device: DriverDevice<unknown>;
  mqttUsername: string;
  unsubscribe: Unsubscribe[];
}

/**
 * Makes devices live (issue 13, item 9): listens to each driven device's topics, folds every
 * message into its state with the driver at once (a press on the plug shows within the message's
 * own delivery), keeps that state in memory and in Redis, and follows its MQTT session.
 */
export class DeviceRunner implements Component {
  readonly name = 'device-runner';
  readonly counters = { messages: 0, ignoredMessages: 0, reduceErrors: 0, storeFailures: 0, sendFailures: 0 };
  private readonly running = new Map<number, Running>();
  private readonly states = new Map<number, DeviceState>();
  /** Live MQTT sessions per username: a takeover connects the new session before the old one ends. */
  private readonly sessions = new Map<string, number>();
  private readonly listeners = new Set<ReportListener>();
  private offBus: (() => void)[] = [];
  /** Devices whose state changed since the last write to the store. */
  private readonly unsaved = new Set<number>();
  private cancelSave: CancelTimer | undefined;
  private started = false;

  constructor(private readonly deps: DeviceRunnerDeps) {}

  async start(): Promise<void> {
    // Sessions are counted from before the Redis read: one opened while it waits would otherwise
    // be missed, and its later takeover would count the device down to offline.
    const { bus } = this.deps;
    this.offBus = [
      bus.on('device.added', ({ deviceId }) => this.take(deviceId)),
      bus.on('device.removed', ({ deviceId }) => this.forget(deviceId)),
      bus.on('mqtt.connected', ({ username }) => username && this.sessionChanged(username, +1)),
      bus.on('mqtt.disconnected', ({ username }) => username && this.sessionChanged(username, -1)),
    ];
    try {
      // What the device reported before a restart; whether it is online is known again only when it speaks.
      for (const [id, state] of await this.deps.store.all()) this.states.set(id, { ...state, online: null });
    } catch (err) {
      this.deps.log.warn(
        { err: describeError(err) },
        'device states could not be read from Redis; starting empty',
      );
    }
    this.started = true;
    for (const row of this.deps.devices.list()) this.take(row.id);
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const off of this.offBus) off();
    this.offBus = [];
    for (const id of [...this.running.keys()]) this.release(id);
    this.sessions.clear();
    await this.save();
  }

  status(): ComponentStatus {
    return {
      state: this.started ? 'ready' : 'stopped',
      detail: { devices: this.running.size, mqtt: this.deps.mqtt !== undefined, ...this.counters },
    };
  }

  /** Its state as last known; UNKNOWN_STATE before it said anything. */
  state(deviceId: number): DeviceState {
    return this.states.get(deviceId) ?? UNKNOWN_STATE;
  }

  capabilities(deviceId: number): DeviceCapability[] {
    const r = this.running.get(deviceId);
    return r ? r.driver.capabilities(r.device) : [];
  }

  /** The driver and config of a device it drives, or undefined (no driver, gone, not started). */
  driven(deviceId: number): DrivenDevice | undefined {
    const r = this.running.get(deviceId);
    return (
      r && { driver: r.driver, device: r.device, state: this.state(deviceId), mqttUsername: r.mqttUsername }
    );
  }

  /** Whether commands can go out at all (MQTT on). */
  canSend(): boolean {
    return this.deps.mqtt !== undefined;
  }

  onReport(listener: ReportListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Publishes a driver's messages in order, at least at QoS 1 (a command must not be lost on the way). */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    const { mqtt } = this.deps;
    if (!mqtt) throw new Error('MQTT is turned off');
    // One after another (a persistent session may reorder ones sent at once, and EmonESP's
    // ctrlmode must come before its state); one the broker did not take does not hold back the
    // rest of the command (a charger's limit after its override). The first failure is reported.
    let failure: unknown;
    for (const m of messages)
      await mqtt.publish(m.topic, m.payload, { qos: 1, retain: m.retain ?? false }).catch((err: unknown) => {
        failure ??= err;
      });
    if (failure !== undefined) throw failure;
  }

  private take(deviceId: number): void {
    if (!this.started || this.running.has(deviceId)) return;
    const row = this.deps.devices.get(deviceId);
    const driver = row && this.deps.drivers(row.kind);
    if (!row || !driver) return;
    const parsed = driver.configSchema.safeParse(this.deps.devices.driverConfig(deviceId) ?? {});
    if (!parsed.success)
      this.deps.log.warn(
        { deviceId, kind: row.kind },
        'stored driver config is not valid; using the defaults',
      );
    const device: DriverDevice<unknown> = {
      topicName: row.topicName,
      config: parsed.success ? parsed.data : driver.configSchema.parse({}),
    };
    const running: Running = { driver, device, mqttUsername: row.mqttUsername, unsubscribe: [] };
    this.running.set(deviceId, running);
    // Its session opened before it was taken (during start, or before it was added).
    if ((this.sessions.get(row.mqttUsername) ?? 0) > 0 && this.state(deviceId).online !== true) {
      const state = this.state(deviceId);
      this.update(deviceId, {
        ...state,
        relays: [...state.relays],
        online: true,
        lastSeenMs: this.deps.clock.nowMs(),
      });
    }
    const { mqtt } = this.deps;
    if (!mqtt) return;
    for (const filter of driver.subscriptions(device)) {
      running.unsubscribe.push(
        mqtt.subscribe(filter, (topic, payload) => this.onMessage(deviceId, topic, payload)),
      );
    }
    // Connected already (a hub restart, a device added while online): ask it for its state now.
    this.query(deviceId);
  }

  private release(deviceId: number): void {
    const running = this.running.get(deviceId);
    if (!running) return;
    for (const unsubscribe of running.unsubscribe) unsubscribe();
    this.running.delete(deviceId);
  }

  private forget(deviceId: number): void {
    this.release(deviceId);
    this.states.delete(deviceId);
    this.unsaved.delete(deviceId);
    this.deps.store.delete(deviceId).catch((err: unknown) => this.storeFailed([deviceId], err));
  }

  private onMessage(deviceId: number, topic: string, payload: Buffer): void {
    const r = this.running.get(deviceId);
    if (!r) return;
    this.counters.messages++;
    let reduced;
    try {
      reduced = r.driver.reduce(r.device, this.state(deviceId), topic, payload, this.deps.clock.nowMs());
    } catch (err) {
      this.counters.reduceErrors++;
      this.deps.log.warn({ deviceId, topic, err: describeError(err) }, 'device message could not be read');
      return;
    }
    if (!reduced) return void this.counters.ignoredMessages++;
    if (reduced.config !== undefined) {
      r.device = { ...r.device, config: reduced.config };
      this.deps.devices.setDriverConfig(deviceId, reduced.config);
    }
    this.update(deviceId, reduced.state);
    for (const listener of this.listeners) listener(deviceId, reduced.state, reduced.reported);
  }

  private sessionChanged(username: string, delta: 1 | -1): void {
    const count = Math.max(0, (this.sessions.get(username) ?? 0) + delta);
    if (count === 0) this.sessions.delete(username);
    else this.sessions.set(username, count);
    const id = [...this.running].find(([, r]) => r.mqttUsername === username)?.[0];
    if (id === undefined) return;
    const online = count > 0;
    const state = this.state(id);
    if (state.online === online && !online) return;
    // EmonESP has no last will: the broker's word is the only sign it went away.
    this.update(id, {
      ...state,
      relays: [...state.relays],
      online,
      lastSeenMs: online ? this.deps.clock.nowMs() : state.lastSeenMs,
    });
    if (online && delta > 0) this.query(id);
  }

  private query(deviceId: number): void {
    const r = this.running.get(deviceId);
    if (!r || !this.deps.mqtt) return;
    this.send(r.driver.queries(r.device)).catch((err: unknown) => {
      this.counters.sendFailures++;
      this.deps.log.debug({ deviceId, err: describeError(err) }, 'state query not sent');
    });
  }

  private update(deviceId: number, state: DeviceState): void {
    this.states.set(deviceId, state);
    this.unsaved.add(deviceId);
    this.cancelSave ??= this.deps.clock.after(STORE_DELAY_MS, () => void this.save());
    this.deps.bus.emit('device.state.changed', { deviceId });
  }

  private async save(): Promise<void> {
    this.cancelSave?.();
    this.cancelSave = undefined;
    const batch = new Map<number, DeviceState>();
    for (const id of this.unsaved) {
      const state = this.states.get(id);
      if (state) batch.set(id, state);
    }
    this.unsaved.clear();
    if (batch.size === 0) return;
    try {
      await this.deps.store.setMany(batch);
    } catch (err) {
      this.storeFailed([...batch.keys()], err);
    }
  }

  private storeFailed(deviceIds: number[], err: unknown): void {
    this.counters.storeFailures++;
    this.deps.log.warn({ deviceIds, err: describeError(err) }, 'device states not written to Redis');
  }
}
