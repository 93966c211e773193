// Shelly Gen2+ (Plus Plug S, Plus 1PM, …): RPC over MQTT. Facts: shelly-api-docs gen2
// General/RPCProtocol (request/response frames), General/RPCChannels and
// ComponentsAndServices/Mqtt (`<prefix>/rpc`, `<prefix>/status/<component:id>`,
// `<prefix>/events/rpc`, `<prefix>/online`), ComponentsAndServices/Switch (Switch.Set,
// Switch.GetStatus, status `output`, `apower` W, `aenergy.total` Wh); reference/demandshaper.md §5.2.
//
// The device answers a request on `<src>/rpc`. A device login may publish only under its own
// roots (device-topics.ts), so our `src` is `<t>/hub`: the answer lands on `<t>/hub/rpc`, inside
// `<t>/#`. Shelly's own notifications show a `dst` with a slash (`<prefix>/events`, published on
// `<prefix>/events/rpc`), so the topic is `src` + `/rpc` as it stands.
import { z } from 'zod';
import type {
  DeviceDriver,
  DeviceState,
  DriverDevice,
  OutgoingMessage,
  Reduced as ReducedOf,
  ReportedPart,
} from '../driver.js';
import { relayPart } from '../driver.js';
import {
  isRecord,
  jsonObjectOf,
  numberOf,
  refuseCharging,
  relayConfirms,
  relayIndex,
  round,
  seen,
  textOf,
  withRelay,
  type JsonRecord,
} from './driver-kit.js';

export const SHELLY_MAX_SWITCHES = 4;

export const shellyConfigSchema = z.object({
  /** How many Switch components it has (`switch:0…`); learned from its status. */
  switchCount: z.number().int().min(1).max(SHELLY_MAX_SWITCHES).default(1),
  /** It meters (a PM model): learned from `apower` in a switch status. */
  metering: z.boolean().default(false),
});
export type ShellyConfig = z.infer<typeof shellyConfigSchema>;

type Device = DriverDevice<ShellyConfig>;
type Reduced = ReducedOf<ShellyConfig> | undefined;

/** The `src` of our requests; the device answers on `<src>/rpc`. */
export const shellyReplySource = (topicName: string): string => `${topicName}/hub`;

const SWITCH_KEY = /^switch:([0-9])$/;

interface SwitchStatus {
  id: number;
  status: JsonRecord;
}

/** Folds Switch statuses (whole or the partial ones NotifyStatus carries) into the state. */
function applySwitches(device: Device, state: DeviceState, switches: SwitchStatus[], nowMs: number): Reduced {
  const next = seen(state, nowMs);
  const reported = new Set<ReportedPart>();
  let { switchCount, metering } = device.config;
  for (const { id, status } of switches) {
    if (id >= SHELLY_MAX_SWITCHES) continue;
    switchCount = Math.max(switchCount, id + 1);
    if (typeof status.output === 'boolean') {
      next.relays = withRelay(next.relays, id, status.output);
      reported.add(relayPart(id));
    }
    // One meter reading for the device: switch 0's (every supported model meters one channel).
    if (id !== 0) continue;
    const powerW = numberOf(status.apower);
    if (powerW !== undefined) {
      next.powerW = powerW;
      metering = true;
      reported.add('power');
    }
    const totalWh = isRecord(status.aenergy) ? numberOf(status.aenergy.total) : undefined;
    if (totalWh !== undefined) {
      next.energyKWh = round(totalWh / 1000);
      reported.add('energy');
    }
  }
  const learned = switchCount !== device.config.switchCount || metering !== device.config.metering;
  const parts = [...reported];
  return learned
    ? { state: next, config: { switchCount, metering }, reported: parts }
    : { state: next, reported: parts };
}

/** `{"switch:0": {...}, "sys": {...}}` (NotifyStatus params, Shelly.GetStatus result) → switches. */
function switchesIn(obj: JsonRecord): SwitchStatus[] {
  const found: SwitchStatus[] = [];
  for (const [key, value] of Object.entries(obj)) {
    const m = SWITCH_KEY.exec(key);
    if (m && isRecord(value)) found.push({ id: Number(m[1]), status: value });
  }
  return found;
}

function fromRpcFrame(device: Device, state: DeviceState, frame: JsonRecord, nowMs: number): Reduced {
  // A notification (events/rpc) carries params; a response (<src>/rpc) carries result or error.
  const body = isRecord(frame.params) ? frame.params : isRecord(frame.result) ? frame.result : undefined;
  if (body === undefined)
    return isRecord(frame.error) ? { state: seen(state, nowMs), reported: [] } : undefined;
  // Switch.GetStatus answers with the switch's own status, `id` and `output` at the top.
  if (typeof body.id === 'number' && Number.isInteger(body.id) && typeof body.output === 'boolean')
    return applySwitches(device, state, [{ id: body.id, status: body }], nowMs);
  return applySwitches(device, state, switchesIn(body), nowMs);
}

function reduce(device: Device, state: DeviceState, topic: string, payload: Buffer, nowMs: number): Reduced {
  const n = device.topicName;
  if (!topic.startsWith(`${n}/`)) return undefined;
  const sub = topic.slice(n.length + 1);
  if (sub === 'online') {
    const text = textOf(payload)?.trim();
    if (text === 'true') return { state: seen(state, nowMs), reported: ['online'] };
    if (text === 'false')
      return { state: { ...state, relays: [...state.relays], online: false }, reported: ['online'] };
    return undefined;
  }
  const json = jsonObjectOf(payload);
  if (!json) return undefined;
  if (sub === 'events/rpc' || topic === `${shellyReplySource(n)}/rpc`)
    return fromRpcFrame(device, state, json, nowMs);
  if (sub.startsWith('status/')) {
    const m = SWITCH_KEY.exec(sub.slice('status/'.length));
    return m
      ? applySwitches(device, state, [{ id: Number(m[1]), status: json }], nowMs)
      : { state: seen(state, nowMs), reported: [] };
  }
  return undefined;
}

/** A JSON-RPC request frame to the device. Ids only tell frames apart in a log: state confirms. */
function rpc(device: Device, id: number, method: string, params: JsonRecord): OutgoingMessage {
  const frame = { id, src: shellyReplySource(device.topicName), method, params };
  return { topic: `${device.topicName}/rpc`, payload: JSON.stringify(frame), qos: 1 };
}

export const shellyDriver: DeviceDriver<ShellyConfig> = {
  kind: 'shelly',
  configSchema: shellyConfigSchema,
  capabilities: (device) => (device.config.metering ? ['switch', 'power', 'energy'] : ['switch']),
  subscriptions: (device) => {
    const n = device.topicName;
    return [`${n}/online`, `${n}/status/+`, `${n}/events/rpc`, `${shellyReplySource(n)}/rpc`];
  },
  reduce,
  commands(device, desired) {
    refuseCharging(desired, 'A Shelly switch');
    const relay = relayIndex(desired, device.config.switchCount, 'This Shelly');
    if (desired.on === undefined) return [];
    // The answer to Switch.Set says only `was_on`, and no notification comes when the output
    // was already as asked: ask for the status straight after (requests are handled in order).
    return [
      rpc(device, 1 + relay, 'Switch.Set', { id: relay, on: desired.on }),
      rpc(device, 100 + relay, 'Switch.GetStatus', { id: relay }),
    ];
  },
  queries: (device) =>
    Array.from({ length: device.config.switchCount }, (_, i) =>
      rpc(device, 100 + i, 'Switch.GetStatus', { id: i }),
    ),
  confirms: (_device, state, desired) => relayConfirms(state, desired),
};
