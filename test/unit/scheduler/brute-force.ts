// Seeded random instances and brute-force answers for the planner's property tests. Written apart
// from src/scheduler so that a shared mistake cannot make both sides agree.
import type { PlannedInterval } from '../../../src/scheduler/plan-types.js';

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): {
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
} {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
  };
}

/** The seed for a run: PLANNER_SEED to replay one, else a fresh one (printed by the test). */
export function runSeed(): number {
  const fromEnv = process.env.PLANNER_SEED;
  return fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
}

export interface Slots {
  startS: number;
  intervalS: number;
  values: number[];
}

/** Σ value × overlap seconds, slot by slot (values must cover the interval). */
export function costSeconds(slots: Slots, intervals: readonly PlannedInterval[]): number {
  let cost = 0;
  for (const { startS, endS } of intervals) {
    slots.values.forEach((v, j) => {
      const a = slots.startS + j * slots.intervalS;
      const overlap = Math.min(endS, a + slots.intervalS) - Math.max(startS, a);
      if (overlap > 0) cost += v * overlap;
    });
    const covered = slots.startS <= startS && endS <= slots.startS + slots.values.length * slots.intervalS;
    if (!covered) throw new Error(`interval ${startS}..${endS} outside the slots`);
  }
  return cost;
}

/** Every start on whole seconds: the cheapest block and the latest start among the cheapest. */
export function bruteBlock(slots: Slots, fromS: number, toS: number, runS: number) {
  let best: { startS: number; cost: number } | null = null;
  for (let t = fromS; t + runS <= toS; t++) {
    const cost = costSeconds(slots, [{ startS: t, endS: t + runS }]);
    if (best === null || cost <= best.cost) best = { startS: t, cost };
  }
  return best;
}

export function gcd(a: number, b: number): number {
  while (b > 0) [a, b] = [b, a % b];
  return a;
}

/** Runs of on-ticks in a bit pattern, as [first, length]. */
export function runsOf(bits: readonly boolean[]): [number, number][] {
  const runs: [number, number][] = [];
  bits.forEach((on, t) => {
    const last = runs[runs.length - 1];
    if (on && last && last[0] + last[1] === t) last[1]++;
    else if (on) runs.push([t, 1]);
  });
  return runs;
}

export interface TickRules {
  ticks: number;
  need: number;
  minOn: number;
  minGap: number;
  /** On before tick 0: 'off', or the ticks the current run must still last. */
  onNowForced: number | null;
}

/** Whether an on/off pattern keeps the rules (all counts in ticks). */
export function keepsRules(bits: readonly boolean[], r: TickRules): boolean {
  if (bits.filter(Boolean).length !== r.need) return false;
  const runs = runsOf(bits);
  let previousEnd: number | null = r.onNowForced === null ? null : 0;
  for (const [first, length] of runs) {
    const continues = r.onNowForced !== null && first === 0;
    if (continues ? length < r.onNowForced! : length < r.minOn) return false;
    if (!continues && previousEnd !== null && first - previousEnd < r.minGap) return false;
    previousEnd = first + length;
  }
  if (r.onNowForced !== null && r.onNowForced > 0 && !bits[0]) return false;
  return true;
}

/** Every pattern of `ticks` bits that keeps the rules. */
export function allPatterns(r: TickRules): boolean[][] {
  const out: boolean[][] = [];
  for (let mask = 0; mask < 1 << r.ticks; mask++) {
    const bits = Array.from({ length: r.ticks }, (_, t) => ((mask >> t) & 1) === 1);
    if (keepsRules(bits, r)) out.push(bits);
  }
  return out;
}

export function patternIntervals(bits: readonly boolean[], fromS: number, tickS: number): PlannedInterval[] {
  return runsOf(bits).map(([first, length]) => ({
    startS: fromS + first * tickS,
    endS: fromS + (first + length) * tickS,
  }));
}
