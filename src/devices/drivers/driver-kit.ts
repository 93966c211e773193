// Small pure helpers the drivers share: payload parsing that never throws, immutable state
// updates, and the checks every plug makes on a DesiredState.
import { UserError } from '../../shared/errors.js';
import type { DesiredState, DeviceState, EvState } from '../driver.js';

/** Firmware payloads are small; anything larger is not one of theirs. */
export const MAX_PAYLOAD_BYTES = 16_384;

export type JsonRecord = Record<string, unknown>;

export const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The payload as text, or undefined when it is too large to be a firmware's message. */
export function textOf(payload: Buffer): string | undefined {
  return payload.length > MAX_PAYLOAD_BYTES ? undefined : payload.toString('utf8');
}

/** A JSON object payload, or undefined (not JSON, not an object, too large). */
export function jsonObjectOf(payload: Buffer): JsonRecord | undefined {
  const text = textOf(payload);
  if (text === undefined || !text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// What firmwares print: no hex, no `Infinity`, no blank (which Number() would take for 0).
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** A finite number from a JSON number or a numeric string ("12.5"), else undefined. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Rounds away float noise from unit conversions (Wh → kWh). */
export const round = (value: number, digits = 6): number => Number(value.toFixed(digits));

/** The device spoke: it is online and was seen now. A new object; `state` is not touched. */
export function seen(state: DeviceState, nowMs: number, online = true): DeviceState {
  return { ...state, relays: [...state.relays], online, lastSeenMs: nowMs };
}

/** `relays` with `index` set to `on`, padded with nulls; a new array. */
export function withRelay(
  relays: readonly (boolean | null)[],
  index: number,
  on: boolean | null,
): (boolean | null)[] {
  const next = [...relays];
  while (next.length <= index) next.push(null);
  next[index] = on;
  return next;
}

export const EMPTY_EV: EvState = Object.freeze({
  evseState: null,
  vehicleConnected: null,
  charging: null,
  currentLimitA: null,
  energyLimitKWh: null,
  sessionEnergyKWh: null,
}) as EvState;

/** Refuses what only a charger can do, for a device that is not one. */
export function refuseCharging(desired: DesiredState, what: string): void {
  if (desired.currentLimitA !== undefined)
    throw new UserError(`${what} has no charging current to limit`, 400, 'unsupported');
  if (desired.energyLimitKWh !== undefined)
    throw new UserError(`${what} has no charging session to limit`, 400, 'unsupported');
}

/** The relay index `desired` names (0 by default), checked against how many the device has. */
export function relayIndex(desired: DesiredState, relayCount: number, what: string): number {
  const relay = desired.relay ?? 0;
  if (!Number.isInteger(relay) || relay < 0 || relay >= relayCount)
    throw new UserError(
      `${what} has ${relayCount === 1 ? 'one relay (0)' : `relays 0 to ${relayCount - 1}`}, not ${String(relay)}`,
      400,
      'unsupported',
    );
  return relay;
}

/** A switch did what was asked: the relay named reports the state asked for. */
export function relayConfirms(state: DeviceState, desired: DesiredState): boolean {
  if (desired.on === undefined) return true;
  return state.relays[desired.relay ?? 0] === desired.on;
}
