// Several devices under one household limit: in every slot the planned draws (a device that is on
// for any part of a slot counts in full) stay at or under the limit, at the least total cost
// Σ powerW × cost. Pure. ADR 010 explains the method; joint-exact.ts is the exact solver.
//
// Fast method: plan the devices one by one in a few orders, each against the room the earlier ones
// left (a slot without room for it is closed to it), then improve by local search: re-plan one
// device against all the others, then a displaced device with each device in its way (in small
// households also exact moves of two and three devices), until no move makes the plan better.
// Then, in small households, a branch and bound that starts from that plan with a node budget:
// when it finishes the plan is proven optimal.
import { planRequest, type Candidate, type JointChoice, type JointDevice } from './device-request.js';
import { planJointExact } from './joint-exact.js';
import { isBetterScore, neededS, scoreOf, type JointScore } from './joint-score.js';
import { closeSlots, slotsUsed, type CostGrid } from './slots.js';

export type { JointChoice, JointDevice } from './device-request.js';

/** Exact moves of a few devices, tried only for devices with few possible plans. */
const GROUP_LIMITS = { maxCandidates: 400, maxNodes: 20_000 };
/**
 * Up to this many devices the search is thorough (four starting orders, exact moves of two and
 * three devices, more rounds); above it, it is kept to what fits the 50 ms budget (ADR 010).
 */
const SMALL_HOUSEHOLD = 8;
const ROUNDS_SMALL = 20;
const ROUNDS_LARGE = 3;
/** The final branch and bound (small households only: it cannot finish bigger ones). */
const POLISH_LIMITS = { maxCandidates: 2000, maxNodes: 50_000 };

/** The joint plan: the fast method, then proven optimal if a small search can do it. */
export function planJoint(
  grid: CostGrid,
  devices: readonly JointDevice[],
  limitW: Float64Array,
): JointPlanResult {
  const fast = planJointHeuristic(grid, devices, limitW);
  const exact =
    devices.length <= SMALL_HOUSEHOLD ? planJointExact(grid, devices, limitW, POLISH_LIMITS, fast) : null;
  return exact ? { choice: exact, method: 'exact' } : { choice: fast, method: 'heuristic' };
}

export interface JointPlanResult {
  choice: JointChoice;
  method: 'exact' | 'heuristic';
}
const ROOM_EPS_W = 1e-6;

export function planJointHeuristic(
  grid: CostGrid,
  devices: readonly JointDevice[],
  limitW: Float64Array,
): JointChoice {
  const small = devices.length <= SMALL_HOUSEHOLD;
  const orders = [
    byKey(devices, (d) => -d.powerW * neededS(d.request)),
    byKey(devices, (d) => slackS(d)),
    ...(small ? [devices.map((_, i) => i), byKey(devices, (d) => -d.powerW)] : []),
  ];
  let best: { choice: JointChoice; score: JointScore } | null = null;
  for (const order of orders) {
    const choice = improve(grid, devices, limitW, placeInOrder(grid, devices, limitW, order));
    const score = scoreOf(grid, devices, choice);
    if (best === null || isBetterScore(score, best.score)) best = { choice, score };
  }
  return best!.choice;
}

/** Σ powerW × cost of the devices that are planned. */
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
    if (c) addLoad(grid, load, c, devices[i]!.powerW);
  });
  return load;
}

/** The device's cheapest plan in the room the others leave. */
export function planAgainst(
  grid: CostGrid,
  d: JointDevice,
  load: Float64Array,
  limitW: Float64Array,
  memo?: Map<string, Candidate | null>,
): Candidate | null {
  if (d.powerW <= 0) return planRequest(grid, d.request);
  const isClosed = (j: number) => load[j]! + d.powerW > limitW[j]! + ROOM_EPS_W;
  // Local search asks the same question (same device, same closed slots) many times.
  const key = memo && closedKey(d.deviceId, grid.rates.length, isClosed);
  if (key !== undefined && memo!.has(key)) return memo!.get(key)!;
  const found = planRequest(closeSlots(grid, isClosed), d.request);
  if (key !== undefined) memo!.set(key, found);
  return found;
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

function improve(
  grid: CostGrid,
  devices: readonly JointDevice[],
  limitW: Float64Array,
  choice: JointChoice,
): JointChoice {
  const load = loadOf(grid, devices, choice);
  const movable = devices.flatMap((d, i) =>
    d.request.kind === 'fixed' || d.request.kind === 'nothing' ? [] : [i],
  );
  const lone = devices.map((d) => planRequest(grid, d.request));
  const loneSlots = lone.map((c) => new Set(c ? slotsUsed(grid, c.intervals) : []));
  const move = new Mover(grid, devices, limitW, load, choice);
  const small = movable.length <= SMALL_HOUSEHOLD;
  for (let round = 0; round < (small ? ROUNDS_SMALL : ROUNDS_LARGE); round++) {
    let changed = false;
    for (const i of movable) changed = move.inTurn([i]) || changed;
    if (changed) continue;
    // Two at a time: a device kept from its own best plan, with each device in the slots it wants
    // (the displaced one first; in small households also the other way round, and exactly).
    for (const i of movable) {
      const wanted = lone[i];
      const current = choice[i];
      if (!wanted || (current && current.cost <= wanted.cost + 1e-9 * Math.abs(wanted.cost))) continue;
      for (const k of movable) {
        const other = choice[k];
        if (k === i || !other || !slotsUsed(grid, other.intervals).some((j) => loneSlots[i]!.has(j)))
          continue;
        changed = move.inTurn([i, k]) || (small && (move.inTurn([k, i]) || move.exactly([i, k]))) || changed;
      }
    }
    if (changed || !small) continue;
    for (const [i, k] of pairs(movable)) {
      changed = move.exactly([i, k]) || changed;
      for (const m of movable) if (m > k && m > i) changed = move.exactly([i, k, m]) || changed;
    }
    if (!changed) break;
  }
  return choice;
}

/** Moves that take some devices out, plan them again, and keep the result only if it is better. */
class Mover {
  constructor(
    private readonly grid: CostGrid,
    private readonly devices: readonly JointDevice[],
    private readonly limitW: Float64Array,
    private readonly load: Float64Array,
    private readonly choice: JointChoice,
  ) {}

  private readonly memo = new Map<string, Candidate | null>();
  private readonly slots: SlotsCache = new WeakMap();

  /** One after the other, each at its best in the room left. */
  inTurn(which: readonly number[]): boolean {
    return this.attempt(which, (group) =>
      group.map((d) => {
        const c = planAgainst(this.grid, d, this.load, this.limitW, this.memo);
        if (c) addLoad(this.grid, this.load, c, d.powerW, this.slots);
        return c;
      }),
    );
  }

  /** Together, exactly (when each has few possible plans). */
  exactly(which: readonly number[]): boolean {
    return this.attempt(which, (group) => {
      const roomW = Float64Array.from(this.limitW, (w, j) => w - this.load[j]!);
      const found = planJointExact(this.grid, group, roomW, GROUP_LIMITS);
      found?.forEach((c, n) => c && addLoad(this.grid, this.load, c, group[n]!.powerW, this.slots));
      return found;
    });
  }

  /** `plan` places its result's load; undone here if the result is not better. */
  private attempt(which: readonly number[], plan: (group: JointDevice[]) => JointChoice | null): boolean {
    const group = which.map((i) => this.devices[i]!);
    const before = which.map((i) => this.choice[i] ?? null);
    before.forEach((c, n) => c && addLoad(this.grid, this.load, c, -group[n]!.powerW, this.slots));
    const after = plan(group);
    if (after && isBetterScore(scoreOf(this.grid, group, after), scoreOf(this.grid, group, before))) {
      which.forEach((i, n) => (this.choice[i] = after[n] ?? null));
      return true;
    }
    after?.forEach((c, n) => c && addLoad(this.grid, this.load, c, -group[n]!.powerW, this.slots));
    before.forEach((c, n) => c && addLoad(this.grid, this.load, c, group[n]!.powerW, this.slots));
    return false;
  }
}

/** The device and its closed slots as a short string: 16 slots to a character. */
function closedKey(deviceId: string, slots: number, isClosed: (j: number) => boolean): string {
  const words: number[] = [];
  for (let j = 0; j < slots; j += 16) {
    let word = 0;
    for (let b = 0; b < 16 && j + b < slots; b++) if (isClosed(j + b)) word |= 1 << b;
    words.push(word);
  }
  return `${deviceId}\u0000${String.fromCharCode(...words)}`;
}

/** Slots a plan draws in, worked out once per plan (local search adds and removes them often). */
type SlotsCache = WeakMap<Candidate, number[]>;

function addLoad(grid: CostGrid, load: Float64Array, c: Candidate, powerW: number, cache?: SlotsCache): void {
  let slots = cache?.get(c);
  if (!slots) {
    slots = slotsUsed(grid, c.intervals);
    cache?.set(c, slots);
  }
  for (const j of slots) load[j]! += powerW;
}

function* pairs(items: readonly number[]): Generator<[number, number]> {
  for (let a = 0; a < items.length; a++)
    for (let b = a + 1; b < items.length; b++) yield [items[a]!, items[b]!];
}

function fixedRank(d: JointDevice): number {
  return d.request.kind === 'fixed' ? 0 : 1;
}

function slackS(d: JointDevice): number {
  const r = d.request;
  return r.kind === 'block' || r.kind === 'interruptible' ? r.toS - r.fromS - r.needS : 0;
}

function byKey<T>(items: readonly T[], key: (item: T) => number): number[] {
  return items.map((_, i) => i).sort((a, b) => key(items[a]!) - key(items[b]!) || a - b);
}
