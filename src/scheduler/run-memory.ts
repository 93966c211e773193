import type { Logger } from '../shared/logger.js';
import { RunTracker, type DeviceRuns } from './run-tracker.js';

// What the plan runner must not forget across a restart (issue 14 item 7): a block that started
// before hubd restarted is still started after, the run time already measured still counts, a
// pause by hand still holds, and a charger's measured rate and the energy it had delivered when
// its period began are still known. Written when one of these changes (a switch, a pause, a new
// period), never per reading.

/** A charger's meter total when its period began: what it delivered since is the meter minus it. */
export interface EnergyBaseline {
  readyByS: number;
  meterKWh: number;
}

/** What the runner had asked of a device, and whether it waits after a switch by hand. */
export interface RunControl {
  commanded: boolean | null;
  pausedUntilMs: number | null;
  /** The energy limit a charger was last given (its stop there is not a switch by hand). */
  limitKWh: number | null;
}

export interface KeptRun extends DeviceRuns, RunControl {
  measuredW: number | null;
  baseline: EnergyBaseline | null;
  /** When this was written: a run open then may have ended any time after. */
  savedAtS: number;
}

export interface RunMemoryStore {
  loadAll(): Map<number, KeptRun>;
  /** Rows loadAll could not read (those devices start afresh). */
  readonly unreadable?: number;
  save(deviceId: number, kept: KeptRun): void;
  delete(deviceId: number): void;
}

export class RunMemory {
  readonly tracker = new RunTracker();
  /** The most each device drew in its latest run (a charger's rate; what a limit must allow). */
  private readonly measuredW = new Map<number, number>();
  private readonly baselines = new Map<number, EnergyBaseline>();
  private readonly newRuns = new Set<number>();
  /** Kept rows that could not be read back at start (counted, shown in the runner's status). */
  unreadable = 0;

  constructor(
    private readonly store: RunMemoryStore | undefined,
    private readonly log: Logger,
    private readonly nowS: () => number,
  ) {}

  /** Takes back what was kept; gives each device's control, for the runner's own record. */
  load(): Map<number, RunControl> {
    const controls = new Map<number, RunControl>();
    let kept: Map<number, KeptRun>;
    try {
      kept = this.store?.loadAll() ?? new Map();
      this.unreadable = this.store?.unreadable ?? 0;
      if (this.unreadable > 0)
        this.log.warn(
          { rows: this.unreadable },
          'some kept scheduler runs could not be read; those start afresh',
        );
    } catch (err) {
      this.log.warn({ err: String(err) }, 'what the scheduler kept could not be read; it starts afresh');
      return controls;
    }
    for (const [deviceId, k] of kept) {
      this.tracker.restore(deviceId, k, k.savedAtS);
      if (k.measuredW !== null) this.measuredW.set(deviceId, k.measuredW);
      if (k.baseline) this.baselines.set(deviceId, k.baseline);
      controls.set(deviceId, {
        commanded: k.commanded,
        pausedUntilMs: k.pausedUntilMs,
        limitKWh: k.limitKWh,
      });
    }
    return controls;
  }

  measured(deviceId: number): number | undefined {
    return this.measuredW.get(deviceId);
  }

  /**
   * A draw seen while on (kept with the next save, not on its own): the peak of the run, as a
   * washer heats at 2 kW and spins at 300 W. A new run starts afresh.
   */
  noteDraw(deviceId: number, powerW: number): void {
    const fresh = this.newRuns.delete(deviceId);
    const peakW = fresh ? 0 : (this.measuredW.get(deviceId) ?? 0);
    this.measuredW.set(deviceId, Math.max(peakW, powerW));
  }

  /** It came on: its next draw starts the new run's peak (the last run's holds until then). */
  noteRunStart(deviceId: number): void {
    this.newRuns.add(deviceId);
  }

  /**
   * The meter total the period ending at `readyByS` started from: taken at the first look once
   * it has begun (before, nothing counts yet: the meter now, not kept). Null while the meter has
   * not said anything. `changed` says it must be kept.
   */
  baseline(
    deviceId: number,
    period: { readyByS: number; previousS: number },
    meterKWh: number | null,
  ): { meterKWh: number | null; changed: boolean } {
    const { readyByS } = period;
    const known = this.baselines.get(deviceId);
    if (known?.readyByS === readyByS) return { meterKWh: known.meterKWh, changed: false };
    if (meterKWh === null || this.nowS() < period.previousS) return { meterKWh, changed: false };
    this.baselines.set(deviceId, { readyByS, meterKWh });
    return { meterKWh, changed: true };
  }

  /** The meter total the period ending at `readyByS` began from, if taken. */
  baselineOf(deviceId: number, readyByS: number): number | null {
    const known = this.baselines.get(deviceId);
    return known?.readyByS === readyByS ? known.meterKWh : null;
  }

  save(deviceId: number, control: RunControl): void {
    if (!this.store) return;
    try {
      this.store.save(deviceId, {
        ...this.tracker.snapshot(deviceId),
        ...control,
        measuredW: this.measuredW.get(deviceId) ?? null,
        baseline: this.baselines.get(deviceId) ?? null,
        savedAtS: this.nowS(),
      });
    } catch (err) {
      this.log.warn(
        { deviceId, err: String(err) },
        'the scheduler could not keep a run; a restart may lose it',
      );
    }
  }

  forget(deviceId: number): void {
    this.tracker.forget(deviceId);
    this.measuredW.delete(deviceId);
    this.baselines.delete(deviceId);
    try {
      this.store?.delete(deviceId);
    } catch (err) {
      this.log.warn({ deviceId, err: String(err) }, 'a removed device’s run could not be deleted');
    }
  }
}
