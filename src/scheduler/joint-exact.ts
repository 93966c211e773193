// The exact joint plan for small instances: branch and bound over devices, each device's possible
// plans tried cheapest first, a device may also be left out (the plan with the fewest left out
// wins, then the cheapest, a device left out counting as in joint-score.ts). Pure. Used for small households and as the yardstick in tests and in
// bench:planner.
import { listCandidates, type Candidate, type JointChoice, type JointDevice } from './device-request.js';
import { leftOutCost, scoreOf } from './joint-score.js';
import { slotsUsed, type CostGrid } from './slots.js';

export interface ExactLimits {
  /** Most plans listed per device. */
  maxCandidates: number;
  /** Most search nodes before giving up. */
  maxNodes: number;
}

const DEFAULT_LIMITS: ExactLimits = { maxCandidates: 5000, maxNodes: 2_000_000 };

/** The optimum, or null when the instance is too big for the limits. */
export function planJointExact(
  grid: CostGrid,
  devices: readonly JointDevice[],
  limitW: Float64Array,
  limits: ExactLimits = DEFAULT_LIMITS,
  /** A known plan (e.g. the fast method's): branches that cannot beat it are cut from the start. */
  incumbent?: JointChoice,
): JointChoice | null {
  interface Option {
    candidate: Candidate;
    weighted: number;
    slots: number[];
  }
  const options: Option[][] = [];
  for (const d of devices) {
    const list = listCandidates(grid, d.request, limits.maxCandidates);
    if (list === null) return null;
    const weighted = list.map((c) => ({
      candidate: c,
      weighted: c.cost * d.powerW,
      slots: slotsUsed(grid, c.intervals),
    }));
    options.push(weighted.sort((a, b) => a.weighted - b.weighted));
  }
  // Heaviest first: they are the hardest to fit, so bad branches end early.
  const order = devices.map((_, i) => i).sort((a, b) => devices[b]!.powerW - devices[a]!.powerW || a - b);
  const fixed = order.filter((i) => devices[i]!.request.kind === 'fixed');
  const free = order.filter((i) => devices[i]!.request.kind !== 'fixed');
  const sequence = [...fixed, ...free];
  // Lower bound of what the devices from position p on still cost: each at its own cheapest.
  const restBound = new Float64Array(sequence.length + 1);
  for (let p = sequence.length - 1; p >= 0; p--) {
    // Leaving a device out adds to `unfit`, so among plans that fit as many this bound holds.
    restBound[p] = restBound[p + 1]! + (options[sequence[p]!]![0]?.weighted ?? 0);
  }
  const load = new Float64Array(grid.rates.length);
  const picked: (Option | null)[] = devices.map(() => null);
  let best: { choice: JointChoice; unfit: number; cost: number } | null = incumbent
    ? { choice: incumbent, ...scoreOf(grid, devices, incumbent) }
    : null;
  let nodes = 0;
  let aborted = false;

  const fits = (slots: number[], powerW: number) =>
    slots.every((j) => load[j]! + powerW <= limitW[j]! + 1e-6);
  const search = (p: number, unfit: number, cost: number): void => {
    if (aborted) return;
    if (++nodes > limits.maxNodes) {
      aborted = true;
      return;
    }
    if (
      best !== null &&
      (unfit > best.unfit || (unfit === best.unfit && cost + restBound[p]! >= best.cost - 1e-9))
    )
      return;
    if (p === sequence.length) {
      best = { choice: picked.map((o) => o?.candidate ?? null), unfit, cost };
      return;
    }
    const i = sequence[p]!;
    const d = devices[i]!;
    const isFixed = d.request.kind === 'fixed';
    for (const o of options[i]!) {
      if (best !== null && unfit === best.unfit && cost + o.weighted + restBound[p + 1]! >= best.cost - 1e-9)
        break;
      if (!isFixed && !fits(o.slots, d.powerW)) continue;
      for (const j of o.slots) load[j]! += d.powerW;
      picked[i] = o;
      search(p + 1, unfit, cost + o.weighted);
      picked[i] = null;
      for (const j of o.slots) load[j]! -= d.powerW;
    }
    if (!isFixed) search(p + 1, unfit + 1, cost + leftOutCost(grid, d));
  };
  search(0, 0, 0);
  return aborted || best === null ? null : (best as { choice: JointChoice }).choice;
}
