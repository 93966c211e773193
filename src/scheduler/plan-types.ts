// The planner's inputs and outputs. Times are epoch seconds; the planner never reads a clock.

/**
 * A signal as the planner needs it: one value per slot of `intervalS` from `startS`. The full
 * signal (unit, source, receivedAtS) from src/signals is assignable to this shape.
 */
export interface PlanSignal {
  startS: number;
  intervalS: number;
  values: readonly number[];
  /** 'min': lower is better (price, carbon); 'max': higher is better (solar surplus, hydro). */
  optimise: 'min' | 'max';
}

/** One device's smart schedule for the current period. */
export interface PlanSchedule {
  deviceId: string;
  /** Time it must run in this period. */
  runS: number;
  /** It must have run by then. */
  readyByS: number;
  /** Not before (usually now). */
  earliestS: number;
  interruptible: boolean;
  /** Only when interruptible: every on-run lasts at least this long … */
  minOnS: number;
  /** … and runs are at least this far apart (not before the first or after the last run). */
  minGapS: number;
  /** Expected draw, for the household limit and the cost in signal unit × kWh. */
  powerW: number;
}

/** What already happened in this period, measured from the device's state reports. */
export interface ScheduleProgress {
  ranS: number;
  /** The device is on since then (a started block: it must not move), else null. */
  runningSinceS: number | null;
}

export interface PlannedInterval {
  startS: number;
  endS: number;
}

/**
 * Why a plan is not the full remaining run time inside [earliest, readyBy):
 * - 'done': nothing left to run;
 * - 'continuing': a started block, kept where it is (it may end after readyBy);
 * - 'not-enough-time': less time than needed before readyBy: it runs the whole time that is left;
 * - 'deadline-passed': readyBy has passed (or is not after earliest): nothing planned;
 * - 'over-limit': it does not fit under the household limit beside the others: nothing planned.
 */
export type PlanReason = 'done' | 'continuing' | 'not-enough-time' | 'deadline-passed' | 'over-limit';

export interface DevicePlan {
  deviceId: string;
  /** Sorted, non-overlapping. */
  intervals: PlannedInterval[];
  plannedS: number;
  /** Σ signal value × hours on (e.g. p/kWh × h): the cost per kW of draw. */
  valueHours: number;
  /** valueHours × powerW / 1000: signal unit × kWh (pence for p/kWh, g for gCO2/kWh). */
  cost: number;
  /** The same for running the whole remaining time from now (the app's "against running it now"). */
  runNowValueHours: number;
  runNowCost: number;
  /** Run time still missing after this plan (0 when it fits). */
  shortS: number;
  reason: PlanReason | null;
}

/** A household limit: one value, or one per signal slot (e.g. a solar surplus). */
export type LimitW = number | readonly number[];

export interface PlanRequest {
  signal: PlanSignal;
  schedules: readonly PlanSchedule[];
  /** Per deviceId; a device missing here has not run yet. */
  progress: ReadonlyMap<string, ScheduleProgress>;
  nowS: number;
  limitW?: LimitW;
}

export interface Plan {
  nowS: number;
  devices: DevicePlan[];
  /** How the household limit was met: 'alone' (no limit, or every lone plan fits under it). */
  method: 'alone' | 'exact' | 'heuristic';
}
