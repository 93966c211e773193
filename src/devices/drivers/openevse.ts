// OpenEVSE WiFi v4+ (ESP32 gateway). Facts: OpenEVSE/openevse_esp32_firmware 1797b7a src/mqtt.cpp
// (subscriptions, `override/set` JSON | `clear` | `toggle`, `limit/set` JSON | `clear`, retained
// `<base>/override` / `<base>/limit` re-published after each change, announce + last-will on
// `openevse/announce/<id>`), src/limit.cpp (energy limit compared with the session energy in Wh;
// a cleared limit is published as type `none`), src/energy_meter.cpp (`session_energy` Wh,
// `total_energy` kWh), docs/Developers_Guide_MQTT.md; reference/demandshaper.md §5.4.
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import { openevseAnnounceId } from '../device-topics.js';
import type {
  DesiredState,
  DeviceDriver,
  DeviceState,
  DriverDevice,
  EvState,
  OutgoingMessage,
  Reduced as ReducedOf,
  ReportedPart,
} from '../driver.js';
import { relayPart } from '../driver.js';
import { EMPTY_EV, jsonObjectOf, numberOf, round, seen, textOf, withRelay } from './driver-kit.js';

/** J1772 allows 6 A at least; 80 A is the most an OpenEVSE offers. */
export const OPENEVSE_MIN_CURRENT_A = 6;
export const OPENEVSE_MAX_CURRENT_A = 80;
export const OPENEVSE_MAX_ENERGY_LIMIT_KWH = 1000;
/** EVSE state 3: charging. */
const CHARGING = 3;
/** 0 starting, 1 not connected, 2 connected, 3 charging, 4–11 errors, 254 sleeping, 255 disabled. */
const isEvseState = (n: number): boolean =>
  Number.isInteger(n) && ((n >= 0 && n <= 11) || n === 254 || n === 255);

export const openevseConfigSchema = z.object({});
export type OpenevseConfig = z.infer<typeof openevseConfigSchema>;

type Device = DriverDevice<OpenevseConfig>;
type Reduced = ReducedOf<OpenevseConfig> | undefined;

const announceTopic = (device: Device): string => `openevse/announce/${openevseAnnounceId(device.topicName)}`;

const withEv = (
  state: DeviceState,
  nowMs: number,
  ev: Partial<EvState>,
  more: Partial<DeviceState> = {},
  reported: readonly ReportedPart[] = ['ev'],
): Reduced => ({
  state: { ...seen(state, nowMs), ...more, ev: { ...(state.ev ?? EMPTY_EV), ...ev } },
  reported,
});

/** The device spoke, and told of `reported` (already folded into `next`). */
const told = (next: DeviceState, reported: readonly ReportedPart[]): Reduced => ({ state: next, reported });

/** `status`/override `state`: `active` → on, `disabled` → off. */
const activeOf = (value: unknown): boolean | undefined =>
  value === 'active' ? true : value === 'disabled' ? false : undefined;

function fromStatus(state: DeviceState, key: string, text: string, nowMs: number): Reduced {
  const n = numberOf(text);
  switch (key) {
    case 'status': {
      const on = activeOf(text.trim());
      return on === undefined
        ? undefined
        : told({ ...seen(state, nowMs), relays: withRelay(state.relays, 0, on) }, [relayPart(0), 'ev']);
    }
    case 'state':
      return n === undefined || !isEvseState(n)
        ? undefined
        : withEv(state, nowMs, { evseState: n, charging: n === CHARGING });
    case 'vehicle':
      // Whether a car is plugged in: nothing a command sets.
      return n === 0 || n === 1 ? withEv(state, nowMs, { vehicleConnected: n === 1 }, {}, []) : undefined;
    case 'pilot':
      return n === undefined ? undefined : withEv(state, nowMs, { currentLimitA: n });
    case 'session_energy':
      // A reading every few seconds while charging: it must not confirm a stale limit.
      return n === undefined
        ? undefined
        : withEv(state, nowMs, { sessionEnergyKWh: round(n / 1000) }, {}, ['energy']);
    case 'power':
      return n === undefined ? undefined : told({ ...seen(state, nowMs), powerW: n }, ['power']);
    case 'total_energy':
      return n === undefined ? undefined : told({ ...seen(state, nowMs), energyKWh: n }, ['energy']);
    default:
      // amp, voltage, temp, freeram…: the charger is up, nothing more.
      return text.length === 0 ? undefined : told(seen(state, nowMs), []);
  }
}

function reduce(device: Device, state: DeviceState, topic: string, payload: Buffer, nowMs: number): Reduced {
  if (topic === announceTopic(device)) {
    const announce = jsonObjectOf(payload);
    if (announce?.state === 'connected') return told(seen(state, nowMs), ['online']);
    if (announce?.state === 'disconnected')
      return told({ ...state, relays: [...state.relays], online: false }, ['online']);
    return undefined;
  }
  const prefix = `${device.topicName}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const key = topic.slice(prefix.length);
  // Only `<base>/<key>`: `…/set`, `…/rapi/in/…` and `restart` are commands to it.
  if (key.includes('/') || key === 'restart') return undefined;
  const text = textOf(payload);
  if (text === undefined) return undefined;
  if (key === 'override') {
    const override = jsonObjectOf(payload);
    if (!override) return undefined;
    const on = activeOf(override.state);
    const currentA = numberOf(override.charge_current);
    return withEv(
      state,
      nowMs,
      currentA === undefined ? {} : { currentLimitA: currentA },
      { relays: on === undefined ? [...state.relays] : withRelay(state.relays, 0, on) },
      on === undefined ? ['ev'] : [relayPart(0), 'ev'],
    );
  }
  if (key === 'limit') {
    const limit = jsonObjectOf(payload);
    if (!limit || typeof limit.type !== 'string') return undefined;
    const valueWh = numberOf(limit.value);
    const energyLimitKWh =
      limit.type === 'energy' && valueWh !== undefined && valueWh > 0 ? round(valueWh / 1000) : null;
    return withEv(state, nowMs, { energyLimitKWh });
  }
  // Another MQTT client's claim: the hub drives the manual override, so the claim tells nothing
  // of what its commands set (folded into nothing, it can confirm nothing).
  if (key === 'claim') return jsonObjectOf(payload) ? told(seen(state, nowMs), []) : undefined;
  return fromStatus(state, key, text, nowMs);
}

const refuse = (message: string): never => {
  throw new UserError(message, 400, 'unsupported');
};

function checkDesired(desired: DesiredState): void {
  if ((desired.relay ?? 0) !== 0) refuse('An OpenEVSE charger has one output (0)');
  const a = desired.currentLimitA;
  if (a !== undefined && (!Number.isInteger(a) || a < OPENEVSE_MIN_CURRENT_A || a > OPENEVSE_MAX_CURRENT_A))
    refuse(
      `The charge current must be a whole number of amps from ${OPENEVSE_MIN_CURRENT_A} to ${OPENEVSE_MAX_CURRENT_A}`,
    );
  const kWh = desired.energyLimitKWh;
  if (
    typeof kWh === 'number' &&
    !(Number.isFinite(kWh) && kWh >= 0.001 && kWh <= OPENEVSE_MAX_ENERGY_LIMIT_KWH)
  )
    refuse(`The energy limit must be from 0.001 to ${OPENEVSE_MAX_ENERGY_LIMIT_KWH} kWh`);
}

const message = (topic: string, payload: string): OutgoingMessage => ({ topic, payload, qos: 1 });

export const openevseDriver: DeviceDriver<OpenevseConfig> = {
  kind: 'openevse',
  configSchema: openevseConfigSchema,
  capabilities: () => ['switch', 'power', 'energy', 'evCharging'],
  subscriptions: (device) => [`${device.topicName}/+`, announceTopic(device)],
  reduce,
  commands(device, desired) {
    checkDesired(desired);
    const base = device.topicName;
    const out: OutgoingMessage[] = [];
    // The manual override: on/off and the current in one message (fields it leaves out stay).
    const override: Record<string, unknown> = {};
    if (desired.on !== undefined) override.state = desired.on ? 'active' : 'disabled';
    if (desired.currentLimitA !== undefined) override.charge_current = desired.currentLimitA;
    if (Object.keys(override).length > 0) out.push(message(`${base}/override/set`, JSON.stringify(override)));
    if (desired.energyLimitKWh === null) out.push(message(`${base}/limit/set`, 'clear'));
    else if (desired.energyLimitKWh !== undefined) {
      const limit = { type: 'energy', value: Math.round(desired.energyLimitKWh * 1000), auto_release: true };
      out.push(message(`${base}/limit/set`, JSON.stringify(limit)));
    }
    return out;
  },
  // It re-publishes its retained state (override, limit, claim) on connect and after each
  // command; it has no query topic short of raw RAPI, which bypasses its claims.
  queries: () => [],
  confirms(_device, state, desired) {
    if (desired.on !== undefined && state.relays[0] !== desired.on) return false;
    const ev = state.ev;
    if (desired.currentLimitA !== undefined && ev?.currentLimitA !== desired.currentLimitA) return false;
    if (desired.energyLimitKWh === null) return ev?.energyLimitKWh === null;
    if (desired.energyLimitKWh !== undefined)
      return (
        ev?.energyLimitKWh != null &&
        Math.round(ev.energyLimitKWh * 1000) === Math.round(desired.energyLimitKWh * 1000)
      );
    return true;
  },
};
