// The planner's entry point: signal + schedules + what has run + now → a plan per device. Pure:
// time comes in as numbers, nothing is read or written.
import { planRequest, type Candidate, type DeviceRequest } from './device-request.js';
import { loadOf, planJoint, type JointChoice, type JointDevice } from './joint-planner.js';
import type {
  DevicePlan,
  LimitW,
  Plan,
  PlanReason,
  PlanRequest,
  PlanSchedule,
  PlanSignal,
  ScheduleProgress,
} from './plan-types.js';
import { buildCostGrid, costOfIntervals, totalS, type CostGrid } from './slots.js';

interface Prepared {
  schedule: PlanSchedule;
  request: DeviceRequest;
  reason: PlanReason | null;
  remainingS: number;
  runNow: { startS: number; endS: number };
}

export function makePlan(input: PlanRequest): Plan {
  const { prepared, grid, devices, limitW } = prepareAll(input);
  const alone: JointChoice = devices.map((d) => planRequest(grid, d.request));
  let choice = alone;
  let method: Plan['method'] = 'alone';
  if (limitW !== null && loadOf(grid, devices, alone).some((w, j) => w > limitW[j]! + 1e-6)) {
    ({ choice, method } = planJoint(grid, devices, limitW));
  }
  const sign = input.signal.optimise === 'max' ? -1 : 1;
  return {
    nowS: input.nowS,
    method,
    devices: prepared.map((p, i) => toDevicePlan(grid, sign, p, choice[i] ?? null)),
  };
}

/** The joint problem a plan solves (for bench:planner, which compares solvers on it). */
export function jointProblemOf(input: PlanRequest): {
  grid: CostGrid;
  devices: JointDevice[];
  limitW: Float64Array | null;
} {
  const { grid, devices, limitW } = prepareAll(input);
  return { grid, devices, limitW };
}

function prepareAll(input: PlanRequest) {
  // A NaN or infinite time would never end the interruptible search: refused, never planned.
  for (const s of input.schedules)
    for (const [what, v] of Object.entries({
      runS: s.runS,
      readyByS: s.readyByS,
      earliestS: s.earliestS,
      powerW: s.powerW,
    }))
      if (!Number.isFinite(v)) throw new RangeError(`device ${s.deviceId}: ${what} is not a finite number`);
  const prepared = input.schedules.map((s) => prepare(s, input.progress.get(s.deviceId), input.nowS));
  const grid = gridFor(input.signal, input.nowS, prepared);
  for (const p of prepared) {
    // An interruptible run that cannot keep min-on/min-gap here (too little room) runs as one block.
    if (p.request.kind === 'interruptible' && planRequest(grid, p.request) === null) {
      p.request = { kind: 'block', fromS: p.request.fromS, toS: p.request.toS, needS: p.request.needS };
    }
  }
  const devices: JointDevice[] = prepared.map((p) => ({
    deviceId: p.schedule.deviceId,
    powerW: p.schedule.powerW,
    request: p.request,
  }));
  const limitW = input.limitW === undefined ? null : limitsOnGrid(grid, input.signal, input.limitW);
  return { prepared, grid, devices, limitW };
}

function prepare(schedule: PlanSchedule, progress: ScheduleProgress | undefined, nowS: number): Prepared {
  const remainingS = Math.max(0, schedule.runS - (progress?.ranS ?? 0));
  const runningSinceS = progress?.runningSinceS ?? null;
  const fromS = Math.max(schedule.earliestS, nowS);
  const toS = schedule.readyByS;
  const base = { schedule, remainingS, runNow: { startS: fromS, endS: fromS + remainingS } };
  const fixed = (startS: number, endS: number, reason: PlanReason): Prepared => ({
    ...base,
    request: { kind: 'fixed', intervals: endS > startS ? [{ startS, endS }] : [] },
    reason,
  });
  if (runningSinceS !== null && !schedule.interruptible && remainingS > 0) {
    // A started block never moves: it runs on from now for what is left, whatever the signal says.
    return {
      ...fixed(nowS, nowS + remainingS, 'continuing'),
      runNow: { startS: nowS, endS: nowS + remainingS },
    };
  }
  const onNow = runningSinceS !== null && schedule.interruptible;
  const forcedOnS = onNow ? Math.max(0, schedule.minOnS - (nowS - runningSinceS)) : 0;
  if (remainingS === 0 && forcedOnS === 0) return { ...base, request: { kind: 'nothing' }, reason: 'done' };
  if (onNow && (remainingS === 0 || toS - nowS < forcedOnS)) {
    // Min-on outranks the deadline and the run time: a compressor is not stopped early.
    return fixed(nowS, nowS + Math.max(forcedOnS, Math.min(remainingS, toS - nowS)), 'continuing');
  }
  const startS = onNow ? nowS : fromS;
  if (toS <= startS) return { ...base, request: { kind: 'nothing' }, reason: 'deadline-passed' };
  if (toS - startS < remainingS) return fixed(startS, toS, 'not-enough-time');
  if (!schedule.interruptible)
    return { ...base, request: { kind: 'block', fromS, toS, needS: remainingS }, reason: null };
  return {
    ...base,
    request: {
      kind: 'interruptible',
      fromS: startS,
      toS,
      needS: remainingS,
      minOnS: Math.min(schedule.minOnS, remainingS),
      minGapS: schedule.minGapS,
      onNow,
      forcedOnS,
    },
    reason: null,
  };
}

/** One grid for every device: from the earliest start to the last second any plan or baseline needs. */
function gridFor(signal: PlanSignal, nowS: number, prepared: readonly Prepared[]): CostGrid {
  let fromS = nowS;
  let toS = nowS + 1;
  for (const p of prepared) {
    const r = p.request;
    fromS = Math.min(fromS, p.runNow.startS);
    toS = Math.max(toS, p.runNow.endS);
    if (r.kind === 'block' || r.kind === 'interruptible') toS = Math.max(toS, r.toS);
    if (r.kind === 'fixed') for (const i of r.intervals) toS = Math.max(toS, i.endS);
  }
  return buildCostGrid(signal, fromS, toS);
}

/** The limit per grid slot; outside a per-slot limit's range, its lowest value (the safe side). */
export function limitsOnGrid(grid: CostGrid, signal: PlanSignal, limitW: LimitW): Float64Array {
  if (typeof limitW === 'number') return new Float64Array(grid.rates.length).fill(limitW);
  const firstSlot = Math.round((grid.originS - signal.startS) / signal.intervalS);
  const lowestW = limitW.length > 0 ? Math.min(...limitW) : 0;
  return Float64Array.from(grid.rates, (_, j) => limitW[firstSlot + j] ?? lowestW);
}

function toDevicePlan(grid: CostGrid, sign: number, p: Prepared, c: Candidate | null): DevicePlan {
  const intervals = c?.intervals ?? [];
  const plannedS = totalS(intervals);
  const valueHours = (sign * costOfIntervals(grid, intervals)) / 3600;
  const runNowValueHours =
    (sign *
      costOfIntervals(
        grid,
        [p.runNow].filter((i) => i.endS > i.startS),
      )) /
    3600;
  const kW = p.schedule.powerW / 1000;
  const unfit = c === null && p.request.kind !== 'nothing';
  return {
    deviceId: p.schedule.deviceId,
    intervals,
    plannedS,
    valueHours,
    cost: valueHours * kW,
    runNowValueHours,
    runNowCost: runNowValueHours * kW,
    shortS: Math.max(0, p.remainingS - plannedS),
    reason: unfit ? 'over-limit' : p.reason,
  };
}
