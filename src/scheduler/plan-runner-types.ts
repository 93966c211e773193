import type { EnergyProgress } from './plan-request.js';
import type { RunnerSignal } from './plan-inputs.js';
import type { DevicePlan, LimitW } from './plan-types.js';
import type { SchedulePeriod } from './schedule-periods.js';

// The plan runner's ports and its record of each device (plan-runner.ts carries them out).

/** What the runner needs of the devices capability. */
export interface RunnerDevices {
  /** Relay 0, draw and meter as reported; undefined when the device is gone. */
  state(deviceId: number):
    | {
        on: boolean | null;
        powerW: number | null;
        online: boolean | null;
        /** The meter's running total, when it has one. */
        meterKWh?: number | null;
        /** A charger's energy in its current session (its energy limit counts from it). */
        sessionKWh?: number | null;
        /** A charger's rate from the current it offers, before any draw was measured. */
        ratedW?: number | null;
        /** A charger: switched on with an energy limit, or with none (null clears one). */
        charger?: boolean;
      }
    | undefined;
  /**
   * Switches relay 0 through its driver (a charger also gets its session's energy limit, so that
   * it stops by itself); resolves when confirmed by its report, or why not.
   */
  switchTo(
    deviceId: number,
    on: boolean,
    energyLimitKWh?: number | null,
  ): Promise<{ confirmed: boolean; reason: string | null }>;
}

/** One device's plan as the app shows it (GET /api/v1/devices/:id/plan). */
export interface DevicePlanView {
  deviceId: number;
  madeAtMs: number | null;
  period: SchedulePeriod | null;
  plan: DevicePlan | null;
  /** The signal it was made with; null: none (it then runs as soon as it may, and says so). */
  signal: RunnerSignal | null;
  /** Switched by hand: the schedule waits until then. */
  pausedUntilMs: number | null;
  /** What is wrong, in words (no signal, not confirmed, offline), or null. */
  problem: string | null;
  /** The signal is stale or part of the target is missing, in words; the plan uses what there is. */
  signalStale: string | null;
  /** A charger's energy wanted and delivered in this period. */
  energy: EnergyProgress | null;
  /** What the schedule wants now: true on, false off, null no say. */
  wantsOn: boolean | null;
}

export interface RunnerSettings {
  timeZone: string;
  tickMs: number;
  replanMs: number;
  /** Draw assumed for a device that has not reported one. */
  defaultPowerW: number;
  householdLimitW: LimitW | null;
}

export interface Run {
  view: DevicePlanView;
  /** What the runner last asked of it, and whether that request is still out. */
  commanded: boolean | null;
  pending: boolean;
  lastSeenOn: boolean | null;
  /** What was last stored of its plan. */
  keptKey: string;
  /** Its last report said it was offline (or none said online yet). */
  offline: boolean;
  /** The energy limit last given to a charger with a switch on (it stops there by itself). */
  limitKWh: number | null;
  /** When a charger with a limit reported itself stopped (settled once its energy has come). */
  stoppedAtMs: number | null;
}

/** A device the runner has not seen yet: no plan, nothing asked, offline until it says. */
export function newRun(deviceId: number): Run {
  return {
    view: {
      deviceId,
      madeAtMs: null,
      period: null,
      plan: null,
      signal: null,
      pausedUntilMs: null,
      problem: null,
      signalStale: null,
      energy: null,
      wantsOn: null,
    },
    commanded: null,
    pending: false,
    lastSeenOn: null,
    keptKey: '',
    offline: true,
    limitKWh: null,
    stoppedAtMs: null,
  };
}
