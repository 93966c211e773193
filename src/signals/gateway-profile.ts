// The meter gateway's day-ahead profile (docs/demand-shaper.md, Signals): one retained JSON message
// per signal on `gateway/<n>/signals/<name>`. Parsed here into a Signal, or refused whole with the
// reason (never half stored). Pure.
import { GATEWAY_SIGNAL_NAMES, type GatewaySignalName } from './signal-topics.js';
import { HOUR_S, MAX_HORIZON_S, seriesProblem, type Optimise, type Signal } from './signal.js';

export const GATEWAY_PAYLOAD_MAX_BYTES = 64 * 1024;
export const MIN_PROFILE_S = 24 * HOUR_S;

/** Which way is better when the payload does not say: more river, more sun is better. */
export const GATEWAY_DEFAULT_OPTIMISE: Record<GatewaySignalName, Optimise> = {
  price: 'min',
  carbon: 'min',
  hydro: 'max',
  community: 'min',
};

const KEYS = new Set(['start', 'interval', 'unit', 'values', 'optimise']);

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * A gateway's payload as a Signal: `{start, interval, unit, values, optimise?}`, 24 to 48 h of
 * slots, a horizon that has not ended by `nowS` and starts at most 48 h ahead of it.
 */
export function parseGatewayProfile(
  name: string,
  gateway: string,
  payload: Buffer | string,
  nowS: number,
): Parsed<Signal> {
  if (!(GATEWAY_SIGNAL_NAMES as readonly string[]).includes(name))
    return { ok: false, problem: `unknown signal "${name}" (one of ${GATEWAY_SIGNAL_NAMES.join(', ')})` };
  if (Buffer.byteLength(payload) > GATEWAY_PAYLOAD_MAX_BYTES)
    return { ok: false, problem: `payload over ${GATEWAY_PAYLOAD_MAX_BYTES} bytes` };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString());
  } catch {
    return { ok: false, problem: 'payload is not JSON' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, problem: 'payload is not a JSON object' };
  const p = body as Record<string, unknown>;
  const unknownKey = Object.keys(p).find((k) => !KEYS.has(k));
  if (unknownKey) return { ok: false, problem: `unknown field "${unknownKey}"` };
  const series = { startS: p.start, intervalS: p.interval, values: p.values };
  const problem = seriesProblem(series);
  if (problem) return { ok: false, problem };
  const startS = p.start as number;
  const intervalS = p.interval as number;
  const values = p.values as number[];
  const spanS = values.length * intervalS;
  if (spanS < MIN_PROFILE_S || spanS > MAX_HORIZON_S)
    return {
      ok: false,
      problem: `values must cover 24 to 48 h (${values.length} × ${intervalS} s is ${spanS / HOUR_S} h)`,
    };
  if (typeof p.unit !== 'string' || p.unit.length < 1 || p.unit.length > 16)
    return { ok: false, problem: 'unit must be a string of 1 to 16 characters, such as "p/kWh"' };
  if (p.optimise !== undefined && p.optimise !== 'min' && p.optimise !== 'max')
    return { ok: false, problem: 'optimise must be "min" or "max"' };
  if (startS + spanS <= nowS) return { ok: false, problem: 'the profile ends before now' };
  if (startS > nowS + MAX_HORIZON_S) return { ok: false, problem: 'the profile starts more than 48 h ahead' };
  const optimise =
    (p.optimise as Optimise | undefined) ?? GATEWAY_DEFAULT_OPTIMISE[name as GatewaySignalName];
  return {
    ok: true,
    value: {
      startS,
      intervalS,
      values: [...values],
      unit: p.unit,
      optimise,
      source: `gateway:${gateway}`,
      receivedAtS: nowS,
    },
  };
}
