import type { PlanSchedule } from './plan-types.js';
import type { SchedulePeriod } from './schedule-periods.js';
import { energyNeededKWh, type SmartSchedule } from './schedule.js';

// What the planner is asked for one smart schedule (pure): the run time, or for a charger the
// energy still wanted timed at its measured rate (issue 14 item 4: delivered energy is measured
// from its meter, not assumed from the time it was on).

/** A charger's energy wanted in this period and what its meter says it delivered so far. */
export interface EnergyProgress {
  neededKWh: number;
  /** Null while its meter has not reported (the need is then timed whole at the rate). */
  deliveredKWh: number | null;
}

export interface RequestFacts {
  deviceId: number;
  smart: SmartSchedule;
  period: SchedulePeriod;
  /** Its draw now if on, else the last measured while on; null: never measured. */
  measuredW: number | null;
  defaultPowerW: number;
  /** Seconds it has been on in this period, from its reports. */
  ranS: number;
  /** Its meter now and when the period began (chargers). */
  meterKWh: number | null;
  baselineKWh: number | null;
}

const J_PER_KWH = 3_600_000;

export function planRequest(f: RequestFacts): { planned: PlanSchedule; energy: EnergyProgress | null } {
  const powerW = f.measuredW ?? f.defaultPowerW;
  const neededKWh = energyNeededKWh(f.smart);
  let runS = f.smart.runMinutes * 60;
  let energy: EnergyProgress | null = null;
  if (neededKWh !== null) {
    const deliveredKWh =
      f.meterKWh !== null && f.baselineKWh !== null ? Math.max(0, f.meterKWh - f.baselineKWh) : null;
    // What is left is timed at the measured rate, on top of the time already run (the planner
    // counts that as done).
    runS =
      deliveredKWh === null
        ? Math.ceil((neededKWh * J_PER_KWH) / powerW)
        : f.ranS + Math.ceil((Math.max(0, neededKWh - deliveredKWh) * J_PER_KWH) / powerW);
    energy = { neededKWh, deliveredKWh };
  }
  return {
    planned: {
      deviceId: String(f.deviceId),
      runS,
      readyByS: f.period.readyByS,
      earliestS: f.period.fromS,
      interruptible: f.smart.interruptible,
      minOnS: f.smart.minOnMinutes * 60,
      minGapS: f.smart.minGapMinutes * 60,
      powerW,
    },
    energy,
  };
}

/**
 * The charger's own energy limit for this session, so that it stops by itself if the hub is gone
 * (a local fail-safe): what it delivered in the session so far plus what is still wanted. Null
 * when the session's energy is unknown or nothing is left.
 */
export function energyLimitKWh(energy: EnergyProgress | null, sessionKWh: number | null): number | null {
  if (!energy || sessionKWh === null) return null;
  const leftKWh = energy.neededKWh - (energy.deliveredKWh ?? 0);
  if (leftKWh < 0.001) return null;
  return Math.round((sessionKWh + leftKWh) * 1000) / 1000;
}
