// Tasmota (single and multi-relay plugs and relays). Facts: tasmota/docs docs/MQTT.md,
// docs/Commands.md (Power<x>, State, Status 10, SetOption26), JSON-Status-Responses.md; the
// POWER/POWER<x> naming from Tasmota's GetPowerDevice (support.ino): one relay reports `POWER`,
// several `POWER1…n`, and SetOption26 makes even one relay report `POWER1`.
import { z } from 'zod';
import type {
  DesiredState,
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
  seen,
  textOf,
  withRelay,
  type JsonRecord,
} from './driver-kit.js';

export const TASMOTA_MAX_RELAYS = 8;

export const tasmotaConfigSchema = z.object({
  /** How many relays it switches; learned from `POWER1…n` in its reports. */
  relayCount: z.number().int().min(1).max(TASMOTA_MAX_RELAYS).default(1),
  /** It has an energy meter (a Sonoff POW, most plugs); learned from `ENERGY` in its reports. */
  metering: z.boolean().default(false),
});
export type TasmotaConfig = z.infer<typeof tasmotaConfigSchema>;

type Device = DriverDevice<TasmotaConfig>;
type Reduced = ReducedOf<TasmotaConfig> | undefined;

const POWER_KEY = /^POWER([1-8]?)$/;

/** `POWER` → 0, `POWER<n>` → n-1; undefined for any other key. */
function relayOfKey(key: string): number | undefined {
  const m = POWER_KEY.exec(key);
  if (!m) return undefined;
  return m[1] ? Number(m[1]) - 1 : 0;
}

function onOff(value: unknown): boolean | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toUpperCase();
  return v === 'ON' ? true : v === 'OFF' ? false : undefined;
}

/** Sums a per-channel array (`"Power":[12,0]`) or takes the one number. */
function channelsTotal(value: unknown): number | undefined {
  if (!Array.isArray(value)) return numberOf(value);
  const parts = value.map(numberOf);
  return parts.length > 0 && parts.every((n) => n !== undefined)
    ? parts.reduce<number>((a, b) => a + b!, 0)
    : undefined;
}

interface Found {
  relays: Map<number, boolean>;
  powerW?: number;
  energyKWh?: number;
  metering: boolean;
}

/** POWER fields at the top level (RESULT, tele/STATE) or under StatusSTS; ENERGY at the top or under StatusSNS. */
function findIn(obj: JsonRecord): Found {
  const found: Found = { relays: new Map(), metering: false };
  const sts = isRecord(obj.StatusSTS) ? obj.StatusSTS : obj;
  for (const [key, value] of Object.entries(sts)) {
    const relay = relayOfKey(key);
    const on = onOff(value);
    if (relay !== undefined && on !== undefined) found.relays.set(relay, on);
  }
  const sns = isRecord(obj.StatusSNS) ? obj.StatusSNS : obj;
  if (isRecord(sns.ENERGY)) {
    found.metering = true;
    found.powerW = channelsTotal(sns.ENERGY.Power);
    found.energyKWh = channelsTotal(sns.ENERGY.Total);
  }
  return found;
}

function apply(device: Device, state: DeviceState, found: Found, nowMs: number): Reduced {
  const next = seen(state, nowMs);
  let relayCount = device.config.relayCount;
  for (const [relay, on] of found.relays) {
    next.relays = withRelay(next.relays, relay, on);
    relayCount = Math.max(relayCount, relay + 1);
  }
  if (found.powerW !== undefined) next.powerW = found.powerW;
  if (found.energyKWh !== undefined) next.energyKWh = found.energyKWh;
  const reported: ReportedPart[] = [];
  for (const relay of found.relays.keys()) reported.push(relayPart(relay));
  if (found.powerW !== undefined) reported.push('power');
  if (found.energyKWh !== undefined) reported.push('energy');
  const metering = device.config.metering || found.metering;
  const learned = relayCount !== device.config.relayCount || metering !== device.config.metering;
  return learned ? { state: next, config: { relayCount, metering }, reported } : { state: next, reported };
}

function reduce(device: Device, state: DeviceState, topic: string, payload: Buffer, nowMs: number): Reduced {
  const [prefix, name, leaf, ...rest] = topic.split('/');
  if (rest.length > 0 || name !== device.topicName || leaf === undefined) return undefined;
  if (prefix === 'tele' && leaf === 'LWT') {
    const text = textOf(payload)?.trim();
    if (text === 'Online') return { state: seen(state, nowMs), reported: ['online'] };
    if (text === 'Offline')
      return { state: { ...state, relays: [...state.relays], online: false }, reported: ['online'] };
    return undefined;
  }
  if (prefix !== 'tele' && prefix !== 'stat') return undefined;
  const relay = prefix === 'stat' ? relayOfKey(leaf) : undefined;
  if (relay !== undefined) {
    // `stat/<t>/POWER ON`, or with SetOption4 the JSON reply on the command's own topic.
    const text = textOf(payload);
    const json = jsonObjectOf(payload);
    if (json) return apply(device, state, findIn(json), nowMs);
    const on = onOff(text);
    return on === undefined
      ? undefined
      : apply(device, state, { relays: new Map([[relay, on]]), metering: false }, nowMs);
  }
  const json = jsonObjectOf(payload);
  if (json) return apply(device, state, findIn(json), nowMs);
  // Other reports (tele/INFO…, stat/STATUS…) that are not JSON: still the device speaking.
  return textOf(payload) === undefined || payload.length === 0
    ? undefined
    : { state: seen(state, nowMs), reported: [] };
}

const cmnd = (device: Device, command: string, payload: string): OutgoingMessage => ({
  topic: `cmnd/${device.topicName}/${command}`,
  payload,
  qos: 1,
});

/** `POWER` for a one-relay device (what it also reports), `POWER<n>` for several. */
const powerCommand = (device: Device, relay: number): string =>
  device.config.relayCount === 1 ? 'POWER' : `POWER${relay + 1}`;

export const tasmotaDriver: DeviceDriver<TasmotaConfig> = {
  kind: 'tasmota',
  configSchema: tasmotaConfigSchema,
  capabilities: (device) => (device.config.metering ? ['switch', 'power', 'energy'] : ['switch']),
  subscriptions: (device) => [`stat/${device.topicName}/#`, `tele/${device.topicName}/#`],
  reduce,
  commands(device, desired: DesiredState) {
    refuseCharging(desired, 'A Tasmota relay');
    const relay = relayIndex(desired, device.config.relayCount, 'This Tasmota device');
    if (desired.on === undefined) return [];
    return [cmnd(device, powerCommand(device, relay), desired.on ? 'ON' : 'OFF')];
  },
  queries(device) {
    const power = Array.from({ length: device.config.relayCount }, (_, i) =>
      cmnd(device, powerCommand(device, i), ''),
    );
    // `Status 10` answers with the meter's readings now rather than at the next TelePeriod.
    return device.config.metering ? [...power, cmnd(device, 'STATUS', '10')] : power;
  },
  confirms: (_device, state, desired) => relayConfirms(state, desired),
};
