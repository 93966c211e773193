// How joint plans compare: fewest devices left out first, then the least Σ powerW × cost, where a
// device left out counts as if it ran its whole time at more than the dearest slot. So leaving an
// expensive device out never looks like a saving. Pure.
import type { DeviceRequest, JointChoice, JointDevice } from './device-request.js';
import type { CostGrid } from './slots.js';

export interface JointScore {
  unfit: number;
  cost: number;
}

/** What leaving the device out counts as (fixed plans are never left out). */
export function leftOutCost(grid: CostGrid, d: JointDevice): number {
  let dearest = 0;
  for (const rate of grid.rates) if (rate !== Infinity) dearest = Math.max(dearest, rate);
  return d.powerW * neededS(d.request) * (dearest + 1);
}

export function scoreOf(grid: CostGrid, devices: readonly JointDevice[], choice: JointChoice): JointScore {
  let unfit = 0;
  let cost = 0;
  choice.forEach((c, i) => {
    const d = devices[i]!;
    if (c) cost += c.cost * d.powerW;
    else if (d.request.kind !== 'nothing') {
      unfit++;
      cost += leftOutCost(grid, d);
    }
  });
  return { unfit, cost };
}

/** a is better than b (a tie within floating-point noise is not better). */
export function isBetterScore(a: JointScore, b: JointScore): boolean {
  if (a.unfit !== b.unfit) return a.unfit < b.unfit;
  return a.cost < b.cost - 1e-9 * Math.max(1, Math.abs(b.cost));
}

export function neededS(r: DeviceRequest): number {
  return r.kind === 'block' || r.kind === 'interruptible' ? r.needS : 0;
}
