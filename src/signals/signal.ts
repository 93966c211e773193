// A signal: one value per fixed slot for the next 24–48 h, with which way is better. Every source
// (the meter gateway's day-ahead profile, the time-of-use tariff, fetched price, carbon and solar
// forecasts) is normalised to this one shape, which the planner consumes. Pure; epoch seconds.

export type Optimise = 'min' | 'max';

export interface Signal {
  startS: number;
  intervalS: number;
  values: readonly number[];
  unit: string;
  /** 'min': lower is better (price, carbon); 'max': higher is better (solar, hydro). */
  optimise: Optimise;
  /** Who delivered it: `gateway:<n>`, `tariff`, `fetch:<source name>`. */
  source: string;
  receivedAtS: number;
}

/** A signal's name: its topic level under `hub/signals/` and its cache file's name. */
export const SIGNAL_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Slot lengths a signal may have: each divides an hour, so slots line up with clock hours. */
export const SIGNAL_INTERVALS_S = [60, 300, 600, 900, 1200, 1800, 3600] as const;

export const HOUR_S = 3600;
export const MAX_HORIZON_S = 48 * HOUR_S;
/** Values beyond this are taken as a broken payload, not a price (|p/kWh|, gCO2/kWh, kW). */
export const MAX_ABS_VALUE = 1_000_000;

export const signalEndS = (s: Pick<Signal, 'startS' | 'intervalS' | 'values'>): number =>
  s.startS + s.intervalS * s.values.length;

/** The value of the slot covering `tsS`, or undefined outside the signal. */
export function valueAt(s: Pick<Signal, 'startS' | 'intervalS' | 'values'>, tsS: number): number | undefined {
  if (tsS < s.startS) return undefined;
  return s.values[Math.floor((tsS - s.startS) / s.intervalS)];
}

/**
 * Why a signal's series is not usable, or undefined: an allowed slot length, a start on a slot
 * boundary, at least one value, every value a finite number within ±MAX_ABS_VALUE.
 */
export function seriesProblem(s: {
  startS: unknown;
  intervalS: unknown;
  values: unknown;
}): string | undefined {
  if (!(SIGNAL_INTERVALS_S as readonly unknown[]).includes(s.intervalS))
    return `interval must be one of ${SIGNAL_INTERVALS_S.join(', ')} seconds (it divides an hour)`;
  const intervalS = s.intervalS as number;
  if (typeof s.startS !== 'number' || !Number.isInteger(s.startS) || s.startS <= 0)
    return 'start must be a positive whole number of epoch seconds';
  if (s.startS % intervalS !== 0) return `start must be a multiple of the interval (${intervalS} s)`;
  if (!Array.isArray(s.values) || s.values.length === 0) return 'values must be a non-empty array';
  const bad = s.values.findIndex(
    (v) => typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > MAX_ABS_VALUE,
  );
  if (bad >= 0) return `values[${bad}] is not a finite number within ±${MAX_ABS_VALUE}`;
  return undefined;
}

/**
 * The part of a signal from the slot covering `fromS` on, at most MAX_HORIZON_S long: what is
 * kept and served (past slots are of no use to a plan). Undefined when nothing is left.
 */
export function clipSignal(s: Signal, fromS: number): Signal | undefined {
  const first = Math.max(0, Math.floor((fromS - s.startS) / s.intervalS));
  const startS = s.startS + first * s.intervalS;
  const count = Math.min(s.values.length - first, Math.floor(MAX_HORIZON_S / s.intervalS));
  if (count <= 0) return undefined;
  return { ...s, startS, values: s.values.slice(first, first + count) };
}

/** Is `value` a stored signal of the right shape (a cache file read back)? */
export function isSignal(value: unknown): value is Signal {
  if (!value || typeof value !== 'object') return false;
  const s = value as Record<string, unknown>;
  return (
    seriesProblem({ startS: s.startS, intervalS: s.intervalS, values: s.values }) === undefined &&
    typeof s.unit === 'string' &&
    (s.optimise === 'min' || s.optimise === 'max') &&
    typeof s.source === 'string' &&
    typeof s.receivedAtS === 'number' &&
    Number.isFinite(s.receivedAtS)
  );
}
