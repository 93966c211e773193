// One contiguous block: the cheapest window of runS inside [fromS, toS). Pure.
//
// The window's cost is piecewise linear in its start, with kinks only where its start or its end
// crosses a slot edge, so the cheapest start is one of: a slot edge, a slot edge minus runS, fromS
// or toS − runS. Trying every one of them is exact (not only slot-aligned starts), and it puts a
// sub-slot remainder on whichever edge of the block is cheaper. Equal costs go to the later window
// (as emoncms's demandshaper), which keeps the device off for longer if the forecast changes.
import type { PlannedInterval } from './plan-types.js';
import type { CostGrid } from './slots.js';

export interface BlockPlan {
  interval: PlannedInterval;
  cost: number;
}

/** Costs that differ by less than this share are a tie (floating-point noise in decimal prices). */
const TIE_SHARE = 1e-12;

export function planBlock(grid: CostGrid, fromS: number, toS: number, runS: number): BlockPlan | null {
  let best: BlockPlan | null = null;
  for (const c of blockCandidates(grid, fromS, toS, runS)) if (best === null || isBetter(c, best)) best = c;
  return best;
}

/** Every window that can be the cheapest one (see above), closed slots left out. */
export function blockCandidates(grid: CostGrid, fromS: number, toS: number, runS: number): BlockPlan[] {
  if (runS <= 0 || toS - fromS < runS) return [];
  const { originS, intervalS, rates } = grid;
  const n = rates.length;
  // Prefix sums of cost and of closed slots, so each window costs O(1).
  const prefixCost = new Float64Array(n + 1);
  const prefixClosed = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) {
    const rate = rates[j]!;
    const closed = rate === Infinity;
    prefixCost[j + 1] = prefixCost[j]! + (closed ? 0 : rate * intervalS);
    prefixClosed[j + 1] = prefixClosed[j]! + (closed ? 1 : 0);
  }
  const costUpTo = (tS: number): number => {
    const j = Math.floor((tS - originS) / intervalS);
    if (j >= n) return prefixCost[n]!;
    const rate = rates[j]!;
    return prefixCost[j]! + (rate === Infinity ? 0 : rate * (tS - originS - j * intervalS));
  };
  const lastStartS = toS - runS;
  const starts = new Set<number>([fromS, lastStartS]);
  for (let j = 0; j <= n; j++) {
    const edgeS = originS + j * intervalS;
    for (const startS of [edgeS, edgeS - runS])
      if (startS >= fromS && startS <= lastStartS) starts.add(startS);
  }
  const out: BlockPlan[] = [];
  for (const startS of starts) {
    const endS = startS + runS;
    const first = Math.floor((startS - originS) / intervalS);
    const last = Math.ceil((endS - originS) / intervalS) - 1;
    if (prefixClosed[last + 1]! - prefixClosed[first]! > 0) continue;
    const cost = costUpTo(endS) - costUpTo(startS);
    out.push({ interval: { startS, endS }, cost });
  }
  return out;
}

function isBetter(c: BlockPlan, best: BlockPlan): boolean {
  const tie = TIE_SHARE * Math.max(1, Math.abs(c.cost), Math.abs(best.cost));
  if (c.cost < best.cost - tie) return true;
  return c.cost <= best.cost + tie && c.interval.startS > best.interval.startS;
}
