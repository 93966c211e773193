import type { z } from 'zod';
import type { DeviceKind } from './device-topics.js';

// The port every device driver implements (issue 13). A driver is pure: it turns the firmware's
// MQTT messages into a DeviceState and a desired state into the firmware's commands. The
// device-state runner does the I/O (subscribe, publish with QoS 1, confirm, retry) for all of them,
// so a new firmware is one file in drivers/ plus a line in the registry.

export type DeviceCapability = 'switch' | 'power' | 'energy' | 'evCharging';

export interface EvState {
  /** OpenEVSE `state`: 1 not connected, 2 connected, 3 charging, 254 sleeping, 255 disabled. */
  evseState: number | null;
  vehicleConnected: boolean | null;
  charging: boolean | null;
  /** The charge current the charger is set to offer now (override/claim or pilot). */
  currentLimitA: number | null;
  /** The energy limit of this session, null when none. */
  energyLimitKWh: number | null;
  sessionEnergyKWh: number | null;
}

/** What the hub knows of a device now, folded from its own reports. */
export interface DeviceState {
  /** From LWT / announce / `online`; null until the device has said anything. */
  online: boolean | null;
  /** Relay (output) states, index 0 first; empty when unknown or the device has no relay. */
  relays: (boolean | null)[];
  powerW: number | null;
  /** The meter's running total. */
  energyKWh: number | null;
  ev: EvState | null;
  /** Milliseconds since the epoch of the last message from the device. */
  lastSeenMs: number | null;
}

/**
 * A part of the state one message told of. Control confirms a command only on a message that
 * reported the part it controls: a stale value (restored from Redis) must not confirm because some
 * unrelated reading came in.
 */
export type ReportedPart = `relay:${number}` | 'ev' | 'power' | 'energy' | 'online';

/** Relay `index` (0-based) as a reported part: a report on relay 2 does not confirm relay 0. */
export const relayPart = (index: number): ReportedPart => `relay:${index}`;

/** What the driver made of one message. */
export interface Reduced<Config = unknown> {
  state: DeviceState;
  /** A config update the device revealed (EmonESP's node name from `describe`). */
  config?: Config;
  /** The parts this message itself reported; empty for one that only shows the device is up. */
  reported: readonly ReportedPart[];
}

/** What a person (or later the scheduler) asks of a device. Absent fields are left as they are. */
export interface DesiredState {
  on?: boolean;
  /** Which relay `on` is for (multi-relay Tasmota, Shelly id); 0 by default. */
  relay?: number;
  /** Chargers: the current to offer, in amps. */
  currentLimitA?: number;
  /** Chargers: stop after this much energy in the session; null clears the limit. */
  energyLimitKWh?: number | null;
}

export interface OutgoingMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain?: boolean;
}

/** A stored device as a driver sees it: its topic name and its typed, validated config. */
export interface DriverDevice<Config> {
  topicName: string;
  config: Config;
}

export interface DeviceDriver<Config = unknown> {
  readonly kind: DeviceKind;
  /** Typed per-driver config (relay count, learned node name…), with defaults for a new device. */
  readonly configSchema: z.ZodType<Config>;
  capabilities(device: DriverDevice<Config>): DeviceCapability[];
  /** The MQTT filters the hub listens to for this device (all within the device's own grants). */
  subscriptions(device: DriverDevice<Config>): string[];
  /** Folds one message into the state; undefined when the message says nothing about it. */
  reduce(
    device: DriverDevice<Config>,
    state: DeviceState,
    topic: string,
    payload: Buffer,
    nowMs: number,
  ): Reduced<Config> | undefined;
  /** The messages that bring the device to `desired`; throws a UserError for what it cannot do. */
  commands(device: DriverDevice<Config>, desired: DesiredState): OutgoingMessage[];
  /** Messages that make the device report its state now (sent after connect and for a retry). */
  queries(device: DriverDevice<Config>): OutgoingMessage[];
  /** Whether `state` shows `desired` carried out. */
  confirms(device: DriverDevice<Config>, state: DeviceState, desired: DesiredState): boolean;
}

export const UNKNOWN_STATE: DeviceState = Object.freeze({
  online: null,
  relays: [],
  powerW: null,
  energyKWh: null,
  ev: null,
  lastSeenMs: null,
}) as DeviceState;
