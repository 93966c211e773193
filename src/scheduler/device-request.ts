// What one device asks of the planner once its progress is taken into account, and the single-
// device answer to it (used alone and inside the joint plan). Pure.
import { blockCandidates, planBlock } from './block-planner.js';
import {
  buildTickMachine,
  planInterruptible,
  type InterruptibleRequest,
  type TickMachine,
} from './interruptible-planner.js';
import type { PlannedInterval } from './plan-types.js';
import { costOf, mergeIntervals, type CostGrid } from './slots.js';

export type DeviceRequest =
  | { kind: 'nothing' }
  /** Already decided (a started block, or all the time that is left): not moved. */
  | { kind: 'fixed'; intervals: PlannedInterval[] }
  | { kind: 'block'; fromS: number; toS: number; needS: number }
  | ({ kind: 'interruptible' } & InterruptibleRequest);

export interface Candidate {
  intervals: PlannedInterval[];
  cost: number;
}

/** A device in a joint plan: its cost counts powerW times, its draw counts against the limit. */
export interface JointDevice {
  deviceId: string;
  powerW: number;
  request: DeviceRequest;
}

/** One entry per device, in input order: its plan, or null when it does not fit. */
export type JointChoice = (Candidate | null)[];

/** The cheapest plan for one device on this grid, or null if it cannot fit (closed slots). */
export function planRequest(grid: CostGrid, request: DeviceRequest): Candidate | null {
  switch (request.kind) {
    case 'nothing':
      return { intervals: [], cost: 0 };
    case 'fixed': {
      let cost = 0;
      for (const i of request.intervals) cost += costOf(grid, i.startS, i.endS);
      return cost === Infinity ? null : { intervals: request.intervals, cost };
    }
    case 'block': {
      const best = planBlock(grid, request.fromS, request.toS, request.needS);
      return best && { intervals: [best.interval], cost: best.cost };
    }
    case 'interruptible':
      return planInterruptible(grid, request);
  }
}

/**
 * Every plan the device could follow (for the exact joint solver), or null when there are more than
 * maxCount of them.
 */
export function listCandidates(grid: CostGrid, request: DeviceRequest, maxCount: number): Candidate[] | null {
  if (request.kind !== 'interruptible') {
    if (request.kind !== 'block') {
      const only = planRequest(grid, request);
      return only ? [only] : [];
    }
    const blocks = blockCandidates(grid, request.fromS, request.toS, request.needS);
    if (blocks.length > maxCount) return null;
    return blocks.map((b) => ({ intervals: [b.interval], cost: b.cost }));
  }
  const m = buildTickMachine(grid, request);
  // More ways to choose the on-ticks than maxCount: not worth walking (the rules only prune some).
  if (binomialAbove(m.ticks, m.needTicks, maxCount)) return null;
  const tickCost = Array.from({ length: m.ticks }, (_, t) => {
    const startS = request.fromS + t * m.tickS;
    return costOf(grid, startS, startS + m.tickS);
  });
  const out: Candidate[] = [];
  const on: number[] = [];
  // Depth-first over ticks with the same state machine as the DP.
  // Dead ends (closed slots, min-gap) can hide few plans in a huge tree: visits are capped too.
  let visits = 0;
  const walk = (t: number, left: number, s: number, cost: number): boolean => {
    if (out.length > maxCount || ++visits > maxCount * 50) return false;
    if (left > m.ticks - t) return true;
    if (t === m.ticks) {
      if (left === 0 && m.endOk[s]) out.push({ intervals: ticksToIntervals(request.fromS, m, on), cost });
      return true;
    }
    const offS = m.offNext[s]!;
    if (offS >= 0 && !walk(t + 1, left, offS, cost)) return false;
    const onS = m.onNext[s]!;
    if (onS >= 0 && left > 0 && tickCost[t] !== Infinity) {
      on.push(t);
      const ok = walk(t + 1, left - 1, onS, cost + tickCost[t]!);
      on.pop();
      if (!ok) return false;
    }
    return true;
  };
  return walk(0, m.needTicks, m.startState, 0) && out.length <= maxCount ? out : null;
}

function ticksToIntervals(fromS: number, m: TickMachine, on: readonly number[]): PlannedInterval[] {
  return mergeIntervals(on.map((t) => ({ startS: fromS + t * m.tickS, endS: fromS + (t + 1) * m.tickS })));
}

/** Whether C(n, k) > limit, without overflowing. */
function binomialAbove(n: number, k: number, limit: number): boolean {
  const r = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= r; i++) {
    c = (c * (n - r + i)) / i;
    if (c > limit) return true;
  }
  return false;
}
