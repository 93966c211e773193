// Several devices under one household limit: in every slot the planned draws (a device that is on
// for any part of a slot counts in full) stay at or under the limit, at the least total cost
// Σ powerW × cost. Pure. ADR 010 explains the method; joint-exact.ts is the exact solver.
//
// Fast method: plan the devices one by one in a few orders, each against the room the earlier ones
// left (a slot without room for it is closed to it), then improve by best response: take each
// device out and re-plan it optimally against all the others, until nothing gets cheaper.
import { planRequest, type Candidate, type DeviceRequest } from './device-request.js';
import { closeSlots, slotsUsed, type CostGrid } from './slots.js';

export interface JointDevice {
  deviceId: string;
  powerW: number;
  request: DeviceRequest;
}

/** One entry per device, in input order: its plan, or null when it does not fit. */
export type JointChoice = (Candidate | null)[];

const ROOM_EPS_W = 1e-6;
const MAX_ROUNDS = 20;

export function planJointHeuristic(grid: CostGrid, devices: readonly JointDevice[], limitW: Float64Array): JointChoice {
  const orders = [
    devices.map((_, i) => i),
    byKey(devices, (d) => -d.powerW * neededS(d.request)),
    byKey(devices, (d) => slackS(d.request)),
    byKey(devices, (d) => -d.powerW),
  ];
  let best: { choice: JointChoice; unfit: number; cost: number } | null = null;
  for (const order of orders) {
    const choice = improve(grid, devices, limitW, placeInOrder(grid, devices, limitW, order));
    const unfit = choice.filter((c) => c === null).length;
    const cost = totalCost(devices, choice);
    if (best === null || unfit < best.unfit || (unfit === best.unfit && cost < best.cost)) {
      best = { choice, unfit, cost };
    }
  }
  return best!.choice;
}

export function totalCost(devices: readonly JointDevice[], choice: JointChoice): number {
  let cost = 0;
  choice.forEach((c, i) => {
    if (c) cost += c.cost * devices[i]!.powerW;
  });
  return cost;
}

/** Draw per slot of a set of choices. */
export function loadOf(grid: CostGrid, devices: readonly JointDevice[], choice: JointChoice): Float64Array {
  const load = new Float64Array(grid.rates.length);
  choice.forEach((c, i) => {
    if (c) for (const j of slotsUsed(grid, c.intervals)) load[j]! += devices[i]!.powerW;
  });
  return load;
}

function placeInOrder(
  grid: CostGrid,
  devices: readonly JointDevice[],
  limitW: Float64Array,
  order: readonly number[],
): JointChoice {
  const choice: JointChoice = devices.map(() => null);
  const load = new Float64Array(grid.rates.length);
  // Blocks already running and other fixed plans cannot move: they go first, limit or not.
  const fixedFirst = [...order].sort((a, b) => fixedRank(devices[a]!) - fixedRank(devices[b]!));
  for (const i of fixedFirst) {
    const d = devices[i]!;
    const c = d.request.kind === 'fixed' ? planRequest(grid, d.request) : planAgainst(grid, d, load, limitW);
    choice[i] = c;
    if (c) addLoad(grid, load, c, d.powerW);
  }
  return choice;
}

function improve(grid: CostGrid, devices: readonly JointDevice[], limitW: Float64Array, choice: JointChoice): JointChoice {
  const load = loadOf(grid, devices, choice);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    devices.forEach((d, i) => {
      if (d.request.kind === 'fixed' || d.request.kind === 'nothing') return;
      const current = choice[i] ?? null;
      if (current) addLoad(grid, load, current, -d.powerW);
      const next = planAgainst(grid, d, load, limitW);
      const better = next !== null && (current === null || next.cost < current.cost - 1e-9 * Math.abs(current.cost));
      const kept = better ? next : current;
      if (better) changed = true;
      choice[i] = kept;
      if (kept) addLoad(grid, load, kept, d.powerW);
    });
    if (!changed) break;
  }
  return choice;
}

/** The device's cheapest plan in the room the others leave. */
export function planAgainst(grid: CostGrid, d: JointDevice, load: Float64Array, limitW: Float64Array): Candidate | null {
  if (d.powerW <= 0) return planRequest(grid, d.request);
  const closed = closeSlots(grid, (j) => load[j]! + d.powerW > limitW[j]! + ROOM_EPS_W);
  return planRequest(closed, d.request);
}

function addLoad(grid: CostGrid, load: Float64Array, c: Candidate, powerW: number): void {
  for (const j of slotsUsed(grid, c.intervals)) load[j]! += powerW;
}

function fixedRank(d: JointDevice): number {
  return d.request.kind === 'fixed' ? 0 : 1;
}

function neededS(r: DeviceRequest): number {
  return r.kind === 'block' || r.kind === 'interruptible' ? r.needS : 0;
}

function slackS(r: DeviceRequest): number {
  return r.kind === 'block' || r.kind === 'interruptible' ? r.toS - r.fromS - r.needS : 0;
}

function byKey<T>(items: readonly T[], key: (item: T) => number): number[] {
  return items.map((_, i) => i).sort((a, b) => key(items[a]!) - key(items[b]!) || a - b);
}
