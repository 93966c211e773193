// The demand shaper's part of the API types (signals, schedules, plans, the Community page):
// shared by the hub and the web app through contract.ts, which re-exports it. Types only.

/** A signal as the planner uses it (src/signals/signal.ts): epoch seconds, one value per slot. */
export interface SignalSeries {
  startS: number;
  intervalS: number;
  values: readonly number[];
  unit: string;
  optimise: 'min' | 'max';
  /** `gateway:<n>`, `tariff`, `fetch:<source name>`. */
  source: string;
  receivedAtS: number;
}

/** One entry of GET /api/v1/signals: a signal the hub has or expects, and whether it is usable. */
export interface SignalView {
  name: string;
  /** What it is, in words ("day-ahead price profile"). */
  what: string;
  /** From the slot now on; null while missing. */
  signal: SignalSeries | null;
  receivedAtMs: number | null;
  horizonEndMs: number | null;
  /** Missing, ended, or older than its source's TTL: `why` says which, in words. */
  stale: boolean;
  why: string | null;
  /** The last refused payload or failed fetch, while no good one has come since. */
  lastError: string | null;
}

/** What the household optimises: one signal or a weighted mix (each scaled 0..1 first). */
export interface OptimisationTargetView {
  terms: { signal: string; weight: number }[];
}

export interface SignalsView {
  signals: SignalView[];
  target: OptimisationTargetView;
  /** Signals the target names that are not there. */
  targetMissing: string[];
}

/** A device's schedule (PUT/GET /api/v1/devices/:id/schedule; src/scheduler/schedule.ts checks it). */
export type ScheduleJson =
  | { mode: 'on' }
  | { mode: 'off' }
  | {
      mode: 'smart';
      smart: {
        /** "HH:MM", the hub's zone. */
        readyBy: string;
        runMinutes: number;
        interruptible: boolean;
        minOnMinutes: number;
        minGapMinutes: number;
        /** Weekdays 0 (Sunday)..6; empty: once, on onceDate. */
        repeat: number[];
        onceDate: string | null;
        /** Chargers: energy wanted by readyBy. */
        energyKWh: number | null;
        /** Chargers, instead of energyKWh: range wanted by readyBy, at whPerKm (default 170). */
        rangeKm: number | null;
        whPerKm: number;
        /** Its draw when on (W), used until one is measured; null: not given. */
        powerW?: number | null;
      };
    }
  | { mode: 'timer'; timer: { periods: { start: string; stop: string }[]; repeat: number[] } };

export interface DeviceScheduleJson {
  deviceId: number;
  schedule: ScheduleJson | null;
  updatedAtMs: number | null;
}

/** GET /api/v1/devices/:id/plan (null while the device has no schedule). */
export interface DevicePlanJson {
  deviceId: number;
  madeAtMs: number | null;
  /** The period planned: not before fromS, ready by readyByS (epoch seconds). */
  period: { fromS: number; readyByS: number } | null;
  plan: {
    intervals: { startS: number; endS: number }[];
    plannedS: number;
    /** In the signal's unit × kWh (pence for p/kWh, g for gCO2/kWh). */
    cost: number;
    runNowCost: number;
    shortS: number;
    reason: 'done' | 'continuing' | 'not-enough-time' | 'deadline-passed' | 'over-limit' | null;
  } | null;
  /** The signal it was planned on; null: none (it runs as soon as it may, `problem` says so). */
  signal: SignalSeries | null;
  pausedUntilMs: number | null;
  problem: string | null;
  /** The signal is stale or part of the target is missing, in words (the plan uses what there is). */
  signalStale: string | null;
  /** A charger's energy wanted in this period and what its meter says it delivered (null: no reading yet). */
  energy: { neededKWh: number; deliveredKWh: number | null } | null;
  wantsOn: boolean | null;
}

/** Why a Community day's figure is null (src/signals/community-days.ts says when each applies). */
export type CommunityWhy =
  | 'no-feed'
  | 'not-power'
  | 'no-data'
  | 'no-community'
  | 'no-household'
  | 'community-zero'
  | 'mixed-target'
  | 'no-use';

/** One local day on the Community page (23 or 25 hours when the clocks change). */
export interface CommunityDayJson {
  startS: number;
  endS: number;
  hours: number;
  /** Figures run to here: the day's end, or now for today. */
  untilS: number;
  /** The river's generation, as the gateway's last forecast for each slot. Null: see why.hydro. */
  hydroKWh: number | null;
  hydroHours: number;
  communityKWh: number | null;
  communityHours: number;
  householdKWh: number | null;
  householdHours: number;
  /** Household ÷ community × 100 over the hours both are known. */
  householdSharePct: number | null;
  /** The household's use in hours the light called good, × 100 of its use in judged hours. */
  goodUsePct: number | null;
  why: Partial<Record<'hydro' | 'community' | 'household' | 'share' | 'goodUse', CommunityWhy>>;
}

/** GET /api/v1/community/days?days=7: oldest day first, today last. */
export interface CommunityDaysJson {
  timeZone: string;
  days: CommunityDayJson[];
  feeds: {
    hydro: number | null;
    community: number | null;
    household: Partial<Record<'house' | 'solar' | 'import' | 'export' | 'battery', number>>;
    target: number | null;
  };
  /** The signal whose kept values judged the good hours (a one-signal target), or null. */
  goodSignal: string | null;
}
