// npm run bench:planner — the demand shaper's planner: 20 (and 6) devices over 48 h under a
// household limit, at 30-min and at 5-min slots. Prints one JSON line per figure: the time per plan (median of
// several runs; target ≤ 50 ms at 30-min slots), and in the same run the baseline of planning each
// device alone as emoncms's demandshaper does (cheaper on paper, but over the limit in some slots),
// and the cost gap of the fast method against the exact solver on small instances (the exact
// solver cannot finish 20 devices × 96 slots, so the full instance has no exact figure).
import { loadavg } from 'node:os';
import { planJointExact } from '../../src/scheduler/joint-exact.js';
import { loadOf, planJoint, planJointHeuristic, totalCost } from '../../src/scheduler/joint-planner.js';
import type { PlanRequest, PlanSchedule } from '../../src/scheduler/plan-types.js';
import { jointProblemOf, makePlan } from '../../src/scheduler/planner.js';
import { planRequest } from '../../src/scheduler/device-request.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SMALL_INSTANCES = Number(process.env.BENCH_SMALL ?? 100);
const NOW_S = Date.UTC(2026, 10, 27, 18) / 1000;
const HOUR = 3600;

function emit(metric: string, fields: Record<string, number | string | boolean>): void {
  console.log(JSON.stringify({ bench: 'planner', metric, ...fields }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function random(seed: number): (lo: number, hi: number) => number {
  let a = seed >>> 0;
  return (lo, hi) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo + 1));
  };
}

/** An Agile-like day-ahead price: cheap at night, a 16:00–19:00 peak, some noise (p/kWh). */
function priceAt(tS: number, rnd: (lo: number, hi: number) => number): number {
  const hour = ((tS - Date.UTC(2026, 0, 1) / 1000) / HOUR) % 24;
  const base = hour < 6 ? 8 : hour >= 16 && hour < 19 ? 35 : hour >= 22 ? 14 : 20;
  return base + rnd(-40, 40) / 10;
}

/** A household: EVs, heat pump, water heaters, washers and dryers, dishwashers, a mix of modes. */
function household(devices: number, horizonS: number, intervalS: number, seed: number): PlanRequest {
  const rnd = random(seed);
  const kinds: Omit<PlanSchedule, 'deviceId' | 'readyByS' | 'earliestS'>[] = [
    { runS: 5 * HOUR, interruptible: true, minOnS: HOUR, minGapS: 0, powerW: 7000 }, // EV
    { runS: 6 * HOUR, interruptible: true, minOnS: HOUR / 2, minGapS: HOUR / 2, powerW: 2500 }, // heat pump
    { runS: 3 * HOUR, interruptible: true, minOnS: HOUR / 2, minGapS: 0, powerW: 3000 }, // water heater
    { runS: 2 * HOUR, interruptible: false, minOnS: 0, minGapS: 0, powerW: 2000 }, // washing machine
    { runS: 1.5 * HOUR, interruptible: false, minOnS: 0, minGapS: 0, powerW: 2500 }, // tumble dryer
    { runS: 2.5 * HOUR, interruptible: false, minOnS: 0, minGapS: 0, powerW: 1500 }, // dishwasher
  ];
  const slots = Math.round(horizonS / intervalS);
  const values = Array.from({ length: slots }, (_, j) => priceAt(NOW_S + j * intervalS, rnd));
  const schedules = Array.from({ length: devices }, (_, k): PlanSchedule => {
    const kind = kinds[k % kinds.length]!;
    const scale = Math.min(1, horizonS / (48 * HOUR));
    const runS = Math.max(intervalS, Math.round((kind.runS * scale) / intervalS) * intervalS);
    const readyByS = NOW_S + Math.round((horizonS * rnd(40, 100)) / 100 / intervalS) * intervalS;
    return {
      ...kind,
      runS,
      deviceId: `device-${k}`,
      earliestS: NOW_S,
      readyByS: Math.max(readyByS, NOW_S + 2 * runS),
    };
  });
  return {
    signal: { startS: NOW_S, intervalS, values, optimise: 'min' },
    schedules,
    progress: new Map(),
    nowS: NOW_S,
    limitW: 14_400, // a 60 A supply at 240 V
  };
}

function benchFull(devicesCount: number, intervalS: number, runs: number): void {
  const input = household(devicesCount, 48 * HOUR, intervalS, 20261127);
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  let plan = makePlan(input);
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    plan = makePlan(input);
    const cpu = process.cpuUsage(cpu0);
    timesMs.push(performance.now() - t0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  }
  const { grid, devices, limitW } = jointProblemOf(input);
  const alone = devices.map((d) => planRequest(grid, d.request));
  const aloneLoad = loadOf(grid, devices, alone);
  const planLoad = loadOf(
    grid,
    devices,
    jointProblemOf(input).devices.map((_, i) => {
      const p = plan.devices[i]!;
      return p.intervals.length ? { intervals: p.intervals, cost: 0 } : null;
    }),
  );
  const cost = plan.devices.reduce((s, d) => s + d.cost, 0);
  const over = (load: Float64Array) => load.filter((w, j) => w > limitW![j]! + 1e-6).length;
  emit(`plan ${devicesCount} devices x 48 h at ${intervalS / 60}-min slots`, {
    slots: grid.rates.length,
    runs,
    medianMs: +median(timesMs).toFixed(2),
    maxMs: +Math.max(...timesMs).toFixed(2),
    // CPU time per plan: what the plan costs when other programs share the cores.
    medianCpuMs: +median(cpuMs).toFixed(2),
    loadAverage1m: +loadavg()[0]!.toFixed(2),
    method: plan.method,
    costPence: +cost.toFixed(1),
    devicesLeftOut: plan.devices.filter((d) => d.reason === 'over-limit').length,
    slotsOverLimit: over(planLoad),
    baseline_alone_costPence: +(totalCost(devices, alone) / 3600 / 1000).toFixed(1),
    baseline_alone_slotsOverLimit: over(aloneLoad),
    runNowCostPence: +plan.devices.reduce((s, d) => s + d.runNowCost, 0).toFixed(1),
    targetMs: intervalS === 1800 && devicesCount === 20 ? 50 : 'none',
  });
}

/** The gap of the fast method (alone, and with its final bounded search) against the exact optimum. */
function benchGap(count: number): void {
  const gaps: number[] = [];
  const usedGaps: number[] = [];
  let tried = 0;
  for (let seed = 1; gaps.length < count && seed < count * 20; seed++) {
    const input = household(4, 6 * HOUR, 1800, seed);
    input.limitW = 7000;
    const { grid, devices, limitW } = jointProblemOf(input);
    tried++;
    const exact = planJointExact(grid, devices, limitW!, { maxCandidates: 5000, maxNodes: 5_000_000 });
    if (!exact) continue;
    const exactCost = totalCost(devices, exact);
    const fast = totalCost(devices, planJointHeuristic(grid, devices, limitW!));
    const used = totalCost(devices, planJoint(grid, devices, limitW!).choice);
    if (exact.some((c) => c === null)) continue; // compare like with like: everything fits
    gaps.push(exactCost === 0 ? 0 : (fast - exactCost) / Math.abs(exactCost));
    usedGaps.push(exactCost === 0 ? 0 : (used - exactCost) / Math.abs(exactCost));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  emit('cost gap against the exact solver (4 devices x 6 h at 30-min slots, 7 kW limit)', {
    instances: gaps.length,
    tried,
    fastMeanGapPct: +(mean(gaps) * 100).toFixed(3),
    fastWorstGapPct: +(Math.max(...gaps) * 100).toFixed(3),
    fastOver1Pct: gaps.filter((g) => g > 0.01).length,
    planWorstGapPct: +(Math.max(...usedGaps) * 100).toFixed(3),
  });
}

benchFull(20, 1800, RUNS);
benchFull(20, 300, Math.max(3, Math.round(RUNS / 3)));
// A more usual household: six devices (the small-household search, with the bounded exact polish).
benchFull(6, 1800, RUNS);
benchFull(6, 300, Math.max(3, Math.round(RUNS / 3)));
benchGap(SMALL_INSTANCES);
