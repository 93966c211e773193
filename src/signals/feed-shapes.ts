// Fetched forecast shapes, each normalised to a Signal (docs/demand-shaper.md, Signals). Pure.
// - agile: Octopus Energy `standard-unit-rates`: `{results: [{value_inc_vat, valid_from, valid_to}]}`,
//   newest first, p/kWh including VAT;
// - carbon-intensity: GB Carbon Intensity API `{data: [{from, to, intensity: {forecast}}]}`, gCO2/kWh;
// - solcast: Solcast rooftop forecasts `{forecasts: [{period_end, period: "PT30M", pv_estimate}]}`,
//   kW (optimise max).
// Slots may come in any order and with gaps: the signal is the contiguous run from the slot now
// on, up to the first gap (a gap is never filled with a made-up value).
import type { Parsed } from './gateway-profile.js';
import { clipSignal, SIGNAL_INTERVALS_S, MAX_ABS_VALUE, type Optimise, type Signal } from './signal.js';

export const FEED_KINDS = ['agile', 'carbon-intensity', 'solcast'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export const FEED_UNITS: Record<FeedKind, { unit: string; optimise: Optimise }> = {
  agile: { unit: 'p/kWh', optimise: 'min' },
  'carbon-intensity': { unit: 'gCO2/kWh', optimise: 'min' },
  solcast: { unit: 'kW', optimise: 'max' },
};

interface Slot {
  fromS: number;
  toS: number;
  value: number;
}

const epochS = (text: unknown): number | undefined => {
  if (typeof text !== 'string') return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms % 1000 === 0 ? ms / 1000 : undefined;
};

const isFiniteValue = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_ABS_VALUE;

function entries(body: unknown, key: string): unknown[] | string {
  if (!body || typeof body !== 'object' || !Array.isArray((body as Record<string, unknown>)[key]))
    return `not the expected shape: no "${key}" array`;
  return (body as Record<string, unknown[]>)[key]!;
}

function agileSlots(body: unknown): Slot[] | string {
  const list = entries(body, 'results');
  if (typeof list === 'string') return list;
  return slotsOf(list, (e) => [epochS(e.valid_from), epochS(e.valid_to), e.value_inc_vat]);
}

function carbonSlots(body: unknown): Slot[] | string {
  const list = entries(body, 'data');
  if (typeof list === 'string') return list;
  return slotsOf(list, (e) => {
    const intensity = e.intensity as Record<string, unknown> | undefined;
    return [epochS(e.from), epochS(e.to), intensity?.forecast];
  });
}

function solcastSlots(body: unknown): Slot[] | string {
  const list = entries(body, 'forecasts');
  if (typeof list === 'string') return list;
  return slotsOf(list, (e) => {
    const toS = epochS(e.period_end);
    const m = typeof e.period === 'string' ? /^PT(\d{1,3})M$/.exec(e.period) : null;
    const fromS = toS !== undefined && m ? toS - Number(m[1]) * 60 : undefined;
    return [fromS, toS, e.pv_estimate];
  });
}

function slotsOf(
  list: unknown[],
  fields: (e: Record<string, unknown>) => [number | undefined, number | undefined, unknown],
): Slot[] | string {
  const slots: Slot[] = [];
  for (const [i, entry] of list.entries()) {
    if (!entry || typeof entry !== 'object') return `entry ${i} is not an object`;
    const [fromS, toS, value] = fields(entry as Record<string, unknown>);
    if (fromS === undefined || toS === undefined || toS <= fromS) return `entry ${i} has no valid time range`;
    if (!isFiniteValue(value)) return `entry ${i} has no finite value`;
    slots.push({ fromS, toS, value });
  }
  return slots;
}

const SLOTS_OF: Record<FeedKind, (body: unknown) => Slot[] | string> = {
  agile: agileSlots,
  'carbon-intensity': carbonSlots,
  solcast: solcastSlots,
};

/** A fetched body (already JSON-parsed) of `kind` as a Signal from the slot covering `nowS` on. */
export function parseFeed(kind: FeedKind, body: unknown, source: string, nowS: number): Parsed<Signal> {
  const slots = SLOTS_OF[kind](body);
  if (typeof slots === 'string') return { ok: false, problem: slots };
  if (slots.length === 0) return { ok: false, problem: 'no slots' };
  const intervalS = slots[0]!.toS - slots[0]!.fromS;
  if (!(SIGNAL_INTERVALS_S as readonly number[]).includes(intervalS))
    return {
      ok: false,
      problem: `slots of ${intervalS} s (one of ${SIGNAL_INTERVALS_S.join(', ')} s expected)`,
    };
  if (slots.some((s) => s.toS - s.fromS !== intervalS || s.fromS % intervalS !== 0))
    return { ok: false, problem: `slots are not all ${intervalS} s long on ${intervalS} s boundaries` };
  const sorted = [...slots].sort((a, b) => a.fromS - b.fromS);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.fromS === sorted[i - 1]!.fromS)
      return { ok: false, problem: `two slots start at ${new Date(sorted[i]!.fromS * 1000).toISOString()}` };
  const ahead = sorted.filter((s) => s.toS > nowS);
  if (ahead.length === 0) return { ok: false, problem: 'every slot ends before now' };
  const values = [ahead[0]!.value];
  for (let i = 1; i < ahead.length && ahead[i]!.fromS === ahead[i - 1]!.toS; i++)
    values.push(ahead[i]!.value);
  const { unit, optimise } = FEED_UNITS[kind];
  const signal = clipSignal(
    { startS: ahead[0]!.fromS, intervalS, values, unit, optimise, source, receivedAtS: nowS },
    nowS,
  );
  return signal ? { ok: true, value: signal } : { ok: false, problem: 'no slot after now' };
}
