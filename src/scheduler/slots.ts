// Slot maths: a signal turned into a cost per second of running, slot by slot, and the cost of any
// interval under it (sub-slot pieces cost their share). Pure.
import type { PlanSignal, PlannedInterval } from './plan-types.js';

/**
 * Cost rates on the signal's slot grid from `originS` (a slot edge). The rate is the value for
 * 'min' signals and minus the value for 'max' ones, so the planner always minimises. Infinity
 * marks a slot the plan may not use (the household limit is reached there).
 */
export interface CostGrid {
  originS: number;
  intervalS: number;
  rates: Float64Array;
}

/**
 * The grid covering [fromS, toS). Time the signal does not cover (before its start, after its
 * horizon, or a missing value) costs as much as the worst slot it does cover: the plan uses it
 * only when the known slots are not enough. With no known value at all every slot costs 0.
 */
export function buildCostGrid(signal: PlanSignal, fromS: number, toS: number): CostGrid {
  const intervalS = signal.intervalS;
  if (!(intervalS > 0)) throw new Error(`signal intervalS must be > 0, got ${intervalS}`);
  const sign = signal.optimise === 'max' ? -1 : 1;
  const firstSlot = Math.floor((fromS - signal.startS) / intervalS);
  const originS = signal.startS + firstSlot * intervalS;
  const count = Math.max(0, Math.ceil((toS - originS) / intervalS));
  let worst = -Infinity;
  for (const v of signal.values) if (Number.isFinite(v)) worst = Math.max(worst, sign * v);
  if (worst === -Infinity) worst = 0;
  const rates = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const v = signal.values[firstSlot + j];
    rates[j] = v !== undefined && Number.isFinite(v) ? sign * v : worst;
  }
  return { originS, intervalS, rates };
}

/** The slot holding second `tS` (may be outside the grid). */
export function slotAt(grid: CostGrid, tS: number): number {
  return Math.floor((tS - grid.originS) / grid.intervalS);
}

/** First and last slot an interval overlaps by more than zero seconds. */
export function slotSpan(grid: CostGrid, startS: number, endS: number): [number, number] {
  return [slotAt(grid, startS), Math.ceil((endS - grid.originS) / grid.intervalS) - 1];
}

/** Cost of running over [startS, endS): Σ rate × overlap seconds; Infinity if it touches a closed slot. */
export function costOf(grid: CostGrid, startS: number, endS: number): number {
  if (endS <= startS) return 0;
  const [first, last] = slotSpan(grid, startS, endS);
  let cost = 0;
  for (let j = first; j <= last; j++) {
    const slotStartS = grid.originS + j * grid.intervalS;
    const overlapS = Math.min(endS, slotStartS + grid.intervalS) - Math.max(startS, slotStartS);
    const rate = grid.rates[j];
    if (rate === undefined) throw new Error(`second ${startS}..${endS} is outside the cost grid`);
    cost += rate * overlapS;
  }
  return cost;
}

export function costOfIntervals(grid: CostGrid, intervals: readonly PlannedInterval[]): number {
  let cost = 0;
  for (const i of intervals) cost += costOf(grid, i.startS, i.endS);
  return cost;
}

/** Slots the (sorted, non-overlapping) intervals draw power in, ascending; a partly used slot counts. */
export function slotsUsed(grid: CostGrid, intervals: readonly PlannedInterval[]): number[] {
  const used: number[] = [];
  for (const i of intervals) {
    if (i.endS <= i.startS) continue;
    const [first, last] = slotSpan(grid, i.startS, i.endS);
    for (let j = first; j <= last; j++) if (used.length === 0 || used[used.length - 1]! < j) used.push(j);
  }
  return used;
}

/** The same grid with some slots closed. */
export function closeSlots(grid: CostGrid, closed: (slot: number) => boolean): CostGrid {
  const rates = new Float64Array(grid.rates);
  for (let j = 0; j < rates.length; j++) if (closed(j)) rates[j] = Infinity;
  return { ...grid, rates };
}

export function totalS(intervals: readonly PlannedInterval[]): number {
  let s = 0;
  for (const i of intervals) s += i.endS - i.startS;
  return s;
}

/** Joins touching intervals (sorted input). */
export function mergeIntervals(intervals: readonly PlannedInterval[]): PlannedInterval[] {
  const out: PlannedInterval[] = [];
  for (const i of intervals) {
    const last = out[out.length - 1];
    if (last && last.endS >= i.startS) last.endS = Math.max(last.endS, i.endS);
    else if (i.endS > i.startS) out.push({ ...i });
  }
  return out;
}
