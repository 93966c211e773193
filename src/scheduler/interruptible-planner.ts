// An interruptible run: the cheapest on/off pattern inside [fromS, toS) that is on for needS in
// total, each run lasting ≥ minOnS and runs ≥ minGapS apart. Exact by dynamic programming (a greedy
// pick of the cheapest slots breaks min-on/min-gap). Pure.
//
// Switching happens on a grid of tickS from fromS. tickS is the greatest common divisor of the slot
// length, the times involved and fromS's offset into its slot, so the grid holds every slot edge and
// the answer is the cheapest of all plans that switch on whole seconds of that grid — a remainder
// shorter than a slot lands on the cheaper edge of a run. If the table would exceed MAX_CELLS
// (e.g. a plan re-made at 10:07:13) the grid is coarsened to a divisor or multiple of the slot
// length; the run time and min-on/min-gap are then rounded up to whole ticks.
import type { PlannedInterval } from './plan-types.js';
import { costOf, mergeIntervals, type CostGrid } from './slots.js';

export interface InterruptibleRequest {
  fromS: number;
  toS: number;
  needS: number;
  minOnS: number;
  minGapS: number;
  /** The device is on at fromS (a run in progress). */
  onNow: boolean;
  /** When onNow: how much longer the current run must last to reach minOnS. */
  forcedOnS: number;
}

export interface InterruptiblePlan {
  intervals: PlannedInterval[];
  cost: number;
  tickS: number;
}

export const MAX_CELLS = 2_000_000;

/** The DP's states: on for ℓ = 1..A ticks (A = satisfied), off for g = 1..B ticks (B = free). */
export interface TickMachine {
  tickS: number;
  ticks: number;
  needTicks: number;
  states: number;
  startState: number;
  onNext: Int32Array;
  offNext: Int32Array;
  endOk: Uint8Array;
}

export function buildTickMachine(
  grid: CostGrid,
  req: InterruptibleRequest,
  maxCells = MAX_CELLS,
): TickMachine {
  const offsetS = mod(req.fromS - grid.originS, grid.intervalS);
  let tickS = [req.needS, req.minOnS, req.minGapS, req.forcedOnS, offsetS, req.toS - req.fromS].reduce(
    gcd,
    grid.intervalS,
  );
  const shape = (t: number) => {
    const a = Math.max(1, Math.ceil(req.minOnS / t));
    const b = Math.max(1, Math.ceil(req.minGapS / t));
    const forced = req.onNow ? Math.min(a, Math.ceil(req.forcedOnS / t)) : 0;
    const ticks = Math.floor((req.toS - req.fromS) / t);
    const needTicks = Math.max(Math.ceil(req.needS / t), forced);
    return { a, b, forced, ticks, needTicks, cells: (ticks + 1) * (needTicks + 1) * (a + b + 1) };
  };
  for (const candidate of coarserTicks(grid.intervalS, tickS)) {
    if (shape(tickS).cells <= maxCells) break;
    tickS = candidate;
  }
  const { a, b, forced, ticks, needTicks } = shape(tickS);
  const states = a + b + 1;
  const onNext = new Int32Array(states).fill(-1);
  const offNext = new Int32Array(states).fill(-1);
  const endOk = new Uint8Array(states);
  const on = (l: number) => l - 1; // l in 1..a
  const off = (g: number) => a + g - 1; // g in 1..b
  const starting = a + b; // on, but not one tick yet (a run that must start now)
  for (let l = 1; l <= a; l++) {
    onNext[on(l)] = on(Math.min(l + 1, a));
    if (l === a) offNext[on(l)] = off(1);
    endOk[on(l)] = l === a ? 1 : 0;
  }
  for (let g = 1; g <= b; g++) {
    offNext[off(g)] = off(Math.min(g + 1, b));
    if (g === b) onNext[off(g)] = on(1);
    endOk[off(g)] = 1;
  }
  onNext[starting] = on(1);
  let startState = off(b);
  if (req.onNow) startState = forced === 0 ? on(a) : forced >= a ? starting : on(a - forced);
  return { tickS, ticks, needTicks, states, startState, onNext, offNext, endOk };
}

export function planInterruptible(
  grid: CostGrid,
  req: InterruptibleRequest,
  maxCells = MAX_CELLS,
): InterruptiblePlan | null {
  const m = buildTickMachine(grid, req, maxCells);
  const { ticks, needTicks: need, states: S, onNext, offNext, endOk } = m;
  if (need > ticks) return null;
  const tickCost = new Float64Array(ticks);
  for (let t = 0; t < ticks; t++) {
    const startS = req.fromS + t * m.tickS;
    tickCost[t] = costOf(grid, startS, startS + m.tickS);
  }
  // value[t][k][s]: cheapest cost of ticks t.. with k on-ticks still to place, in state s.
  const stride = (need + 1) * S;
  const value = new Float64Array((ticks + 1) * stride).fill(Infinity);
  for (let s = 0; s < S; s++) if (endOk[s]) value[ticks * stride + s] = 0;
  for (let t = ticks - 1; t >= 0; t--) {
    const here = t * stride;
    const next = here + stride;
    const c = tickCost[t]!;
    for (let k = 0; k <= need; k++) {
      for (let s = 0; s < S; s++) {
        let best = Infinity;
        const offS = offNext[s]!;
        if (offS >= 0) best = value[next + k * S + offS]!;
        const onS = onNext[s]!;
        if (onS >= 0 && k > 0 && c !== Infinity) best = Math.min(best, c + value[next + (k - 1) * S + onS]!);
        value[here + k * S + s] = best;
      }
    }
  }
  if (value[need * S + m.startState]! === Infinity) return null;
  // Walk forwards; on a tie stay off, which puts the on-time as late as possible.
  const onTicks: PlannedInterval[] = [];
  let k = need;
  let s = m.startState;
  for (let t = 0; t < ticks; t++) {
    const v = value[t * stride + k * S + s]!;
    const next = (t + 1) * stride;
    const offS = offNext[s]!;
    if (offS >= 0 && value[next + k * S + offS]! === v) {
      s = offS;
      continue;
    }
    const startS = req.fromS + t * m.tickS;
    onTicks.push({ startS, endS: startS + m.tickS });
    s = onNext[s]!;
    k--;
  }
  const intervals = mergeIntervals(onTicks);
  let cost = 0;
  for (const i of intervals) cost += costOf(grid, i.startS, i.endS);
  return { intervals, cost, tickS: m.tickS };
}

function gcd(x: number, y: number): number {
  let [a, b] = [Math.abs(Math.round(x)), Math.abs(Math.round(y))];
  while (b > 0) [a, b] = [b, a % b];
  return a;
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** Ticks to fall back on, finest first: divisors of the slot length above tickS, then multiples. */
function* coarserTicks(intervalS: number, tickS: number): Generator<number> {
  for (let d = tickS + 1; d <= intervalS; d++) if (intervalS % d === 0) yield d;
  for (let m = 2; ; m++) yield intervalS * m;
}
