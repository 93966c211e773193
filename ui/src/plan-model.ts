import type { DevicePlanJson, OptimisationTargetView, SignalView } from '../../src/api/contract.js';

// What the plan chart and the Community page draw, worked out without the DOM or a clock of its
// own (callers pass the time): bar geometry, the cost against running now, and the "good time to
// use" rule.

/** The part of a signal these pages use (SignalSeries without its provenance). */
export interface Series {
  startS: number;
  intervalS: number;
  values: readonly number[];
  optimise: 'min' | 'max';
}

export interface ChartBar {
  startS: number;
  endS: number;
  value: number;
  /** x and width in the chart's units (0..width). */
  x: number;
  width: number;
  /** y of the bar's top and its height (y grows down; the baseline is value 0). */
  y: number;
  height: number;
  /** The share of the slot a planned interval covers (0..1). */
  planned: number;
}

export interface ChartGeometry {
  bars: ChartBar[];
  fromS: number;
  toS: number;
  /** The value at the top of the scale and at the bottom (0 unless a value is negative). */
  top: number;
  bottom: number;
  nowX: number;
  readyByX: number | null;
}

/**
 * Bars of the signal from the slot that holds now, for at most `horizonS`, scaled into
 * width × height; planned intervals marked per slot by the share they cover.
 */
export function planChart(
  signal: Series,
  intervals: readonly { startS: number; endS: number }[],
  opts: { nowS: number; horizonS: number; width: number; height: number; readyByS?: number | null },
): ChartGeometry | null {
  const { intervalS } = signal;
  const first = Math.max(0, Math.floor((opts.nowS - signal.startS) / intervalS));
  const last = Math.min(signal.values.length, first + Math.ceil(opts.horizonS / intervalS));
  if (first >= last) return null;
  const fromS = signal.startS + first * intervalS;
  const toS = signal.startS + last * intervalS;
  const values = signal.values.slice(first, last);
  const top = Math.max(0, ...values);
  const bottom = Math.min(0, ...values);
  const span = top - bottom || 1;
  const xOf = (s: number) => ((s - fromS) / (toS - fromS)) * opts.width;
  const yOf = (v: number) => ((top - v) / span) * opts.height;
  const bars = values.map((value, i): ChartBar => {
    const startS = fromS + i * intervalS;
    const endS = startS + intervalS;
    const covered = intervals.reduce(
      (sum, iv) => sum + Math.max(0, Math.min(iv.endS, endS) - Math.max(iv.startS, startS)),
      0,
    );
    return {
      startS,
      endS,
      value,
      x: xOf(startS),
      width: xOf(endS) - xOf(startS),
      y: Math.min(yOf(value), yOf(0)),
      height: Math.abs(yOf(value) - yOf(0)),
      planned: Math.min(1, covered / intervalS),
    };
  });
  const readyBy = opts.readyByS;
  return {
    bars,
    fromS,
    toS,
    top,
    bottom,
    nowX: xOf(Math.min(Math.max(opts.nowS, fromS), toS)),
    readyByX:
      readyBy !== undefined && readyBy !== null && readyBy >= fromS && readyBy <= toS ? xOf(readyBy) : null,
  };
}

/** How a plan's cost is told: in money or grams when the signal has such a unit, else as a score. */
export type CostSummary =
  | { kind: 'pence'; planned: number; runNow: number }
  | { kind: 'grams'; planned: number; runNow: number }
  | { kind: 'other'; planned: number; runNow: number; unit: string }
  /** A normalised target (unit 'score', 0 = best slot, 1 = worst): the mean over the hours run. */
  | { kind: 'score'; planned: number; runNow: number }
  | null;

/** The plan's expected cost against running it now (null when nothing is planned or no signal). */
export function costSummary(view: DevicePlanJson, nowS: number): CostSummary {
  const { plan, signal } = view;
  if (!plan || !signal || plan.plannedS <= 0) return null;
  const unit = signal.unit.replace(/\s/g, '').toLowerCase();
  if (unit === 'p/kwh') return { kind: 'pence', planned: plan.cost, runNow: plan.runNowCost };
  if (unit === 'gco2/kwh') return { kind: 'grams', planned: plan.cost, runNow: plan.runNowCost };
  if (unit !== 'score')
    return {
      kind: 'other',
      planned: plan.cost,
      runNow: plan.runNowCost,
      unit: signal.unit.replace(/\/kWh$/i, ''),
    };
  const fromS = Math.max(nowS, view.period?.fromS ?? nowS);
  const planned = meanOver(signal, plan.intervals);
  const runNow = meanOver(signal, [{ startS: fromS, endS: fromS + plan.plannedS }]);
  return planned === null || runNow === null ? null : { kind: 'score', planned, runNow };
}

/** The time-weighted mean of a signal over intervals (null when they lie outside it). */
export function meanOver(
  signal: Series,
  intervals: readonly { startS: number; endS: number }[],
): number | null {
  let sum = 0;
  let totalS = 0;
  signal.values.forEach((v, i) => {
    const a = signal.startS + i * signal.intervalS;
    const b = a + signal.intervalS;
    for (const iv of intervals) {
      const overlapS = Math.max(0, Math.min(iv.endS, b) - Math.max(iv.startS, a));
      sum += v * overlapS;
      totalS += overlapS;
    }
  });
  return totalS > 0 ? sum / totalS : null;
}

export interface GoodSlot {
  startS: number;
  endS: number;
  value: number;
  good: boolean;
}

/** The rule the Community page states: a slot is good when it is in the best third of the next 24 h. */
export const GOOD_HORIZON_S = 24 * 3600;

/**
 * The slots from the one holding now for 24 h, each good when it is among the best third of them
 * (lowest for `min`, highest for `max`; ties with the third's last one count as good, so a flat
 * signal is good throughout).
 */
export function goodSlots(series: Series, nowS: number): GoodSlot[] {
  const { intervalS } = series;
  const first = Math.max(0, Math.floor((nowS - series.startS) / intervalS));
  const last = Math.min(series.values.length, first + Math.ceil(GOOD_HORIZON_S / intervalS));
  if (first >= last) return [];
  const values = series.values.slice(first, last);
  const badness = (v: number) => (series.optimise === 'min' ? v : -v);
  const ranked = values.map(badness).sort((a, b) => a - b);
  const threshold = ranked[Math.ceil(ranked.length / 3) - 1]!;
  return values.map((value, i) => {
    const startS = series.startS + (first + i) * intervalS;
    return { startS, endS: startS + intervalS, value, good: badness(value) <= threshold };
  });
}

/** The next good slot's start at or after now (now itself when now is good), or null. */
export function nextGoodS(slots: readonly GoodSlot[], nowS: number): number | null {
  const slot = slots.find((s) => s.good && s.endS > nowS);
  return slot ? Math.max(slot.startS, nowS) : null;
}

/**
 * The household's target as one series, as the app can see it: one signal as it is; a mix on the
 * finest common slot over the horizon all cover, each scaled 0..1 (best 0) before weighting, as
 * the hub's planner does. Null with none of its signals there.
 */
export function targetSeries(target: OptimisationTargetView, signals: readonly SignalView[]): Series | null {
  const parts = target.terms
    .filter((t) => t.weight > 0)
    .map((t) => ({ weight: t.weight, signal: signals.find((s) => s.name === t.signal)?.signal ?? null }))
    .filter((p): p is { weight: number; signal: NonNullable<SignalView['signal']> } => p.signal !== null);
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!.signal;
  const intervalS = Math.min(...parts.map((p) => p.signal.intervalS));
  const startS = Math.max(...parts.map((p) => p.signal.startS));
  const endS = Math.min(...parts.map((p) => p.signal.startS + p.signal.values.length * p.signal.intervalS));
  const slots = Math.floor((endS - startS) / intervalS);
  if (slots <= 0) return null;
  const total = parts.reduce((sum, p) => sum + p.weight, 0);
  const values = new Array<number>(slots).fill(0);
  for (const { weight, signal } of parts) {
    const raw = Array.from(
      { length: slots },
      (_, i) => signal.values[Math.floor((startS + i * intervalS - signal.startS) / signal.intervalS)]!,
    );
    const lo = Math.min(...raw);
    const hi = Math.max(...raw);
    raw.forEach((v, i) => {
      const scaled = hi > lo ? (signal.optimise === 'min' ? v - lo : hi - v) / (hi - lo) : 0;
      values[i]! += (weight * scaled) / total;
    });
  }
  return { startS, intervalS, values, optimise: 'min' };
}
