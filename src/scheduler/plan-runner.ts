import type { CancelTimer, Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { desiredOn } from './desired-now.js';
import { awaitNextProfile, endOfLocalDayMs, flatSignal, keyOf, type RunnerSignal } from './plan-inputs.js';
import { energyLimitKWh, planRequest } from './plan-request.js';
import {
  newRun,
  type DevicePlanView,
  type Run,
  type RunnerDevices,
  type RunnerSettings,
} from './plan-runner-types.js';
import type { PlanSchedule, ScheduleProgress } from './plan-types.js';
import { makePlan } from './planner.js';
import { RunMemory, type RunMemoryStore } from './run-memory.js';
import { nextPeriod, type SchedulePeriod } from './schedule-periods.js';
import type { DeviceScheduleView } from './schedule-service.js';
import type { SmartSchedule } from './schedule.js';

export type { DevicePlanView, RunnerDevices, RunnerSettings, RunnerSignal };

/** How late a charger's session energy may come after its stop (OpenEVSE: every 30 s, or on change). */
const REPORT_LAG_MS = 120_000;
const DAY_MS = 86_400_000;

/**
 * Carries out the schedules (issue 14 items 7–8): plans smart ones with the planner when a
 * schedule or the signal changes and every replanMs, and switches each device through its driver
 * (confirmed by its own report). A started block never moves (the planner keeps it; the run time
 * is measured from reports), a device switched by hand pauses its schedule for the day, and one
 * that does not confirm is flagged.
 */
export class PlanRunner implements Component {
  readonly name = 'plan-runner';
  private readonly runs = new Map<number, Run>();
  private readonly memory: RunMemory;
  private timers: CancelTimer[] = [];
  private offs: (() => void)[] = [];
  private readonly counts = { plans: 0, switched: 0, notConfirmed: 0, overrides: 0 };
  /** The signal the plans were last made with (a new one is noticed at the next tick). */
  private signalKey = '';
  private replanQueued = false;

  constructor(
    private readonly deps: {
      schedules: { all(): DeviceScheduleView[] };
      signal: () => RunnerSignal | null;
      /** Why the signal cannot be trusted (stale, part of the target missing), or null. */
      signalStale?: () => string | null;
      devices: RunnerDevices;
      /** What must survive a restart (runs, a started block, a pause, a charger's baseline). */
      memory?: RunMemoryStore;
      /** Where each plan is kept with the signal it used (when it changed). */
      store?: {
        save(deviceId: number, madeAtMs: number, plan: unknown): void;
        delete(deviceId: number): void;
      };
      bus: EventBus;
      clock: Clock;
      log: Logger;
      settings: RunnerSettings;
    },
  ) {
    this.memory = new RunMemory(deps.memory, deps.log, () => Math.floor(deps.clock.nowMs() / 1000));
  }

  async start(): Promise<void> {
    const { bus, clock, settings } = this.deps;
    for (const [deviceId, control] of this.memory.load()) {
      const run = this.runOf(deviceId);
      run.commanded = control.commanded;
      run.view.pausedUntilMs = control.pausedUntilMs;
      run.limitKWh = control.limitKWh;
      if (control.pausedUntilMs !== null)
        run.view.problem = 'switched by hand: the schedule waits until its next period';
    }
    this.offs = [
      bus.on('schedule.changed', () => this.replan()),
      bus.on('device.state.changed', ({ deviceId }) => this.observe(deviceId)),
      bus.on('device.removed', ({ deviceId }) => {
        this.runs.delete(deviceId);
        this.memory.forget(deviceId);
        this.deps.store?.delete(deviceId);
      }),
    ];
    this.timers = [
      clock.every(settings.tickMs, () => this.actuate()),
      clock.every(settings.replanMs, () => this.replan()),
    ];
    this.replan();
  }

  async stop(): Promise<void> {
    // What is on now is kept with the time: a device found off after the restart ran until then.
    for (const [deviceId, run] of this.runs) this.memory.save(deviceId, this.controlOf(run));
    for (const off of this.offs) off();
    for (const cancel of this.timers) cancel();
    this.offs = [];
    this.timers = [];
  }

  status(): ComponentStatus {
    const unreadableRuns = this.memory.unreadable;
    return { state: 'ready', detail: { scheduled: this.runs.size, ...this.counts, unreadableRuns } };
  }

  view(deviceId: number): DevicePlanView | undefined {
    return this.runs.get(deviceId)?.view;
  }

  /** Plans every schedule again over what is left, then acts on it. */
  replan(): void {
    const nowS = Math.floor(this.deps.clock.nowMs() / 1000);
    const scheduled = this.deps.schedules.all();
    for (const id of [...this.runs.keys()])
      if (!scheduled.some((s) => s.deviceId === id)) {
        this.runs.delete(id);
        this.memory.forget(id); // no pause or command of an old schedule comes back on a restart
      }
    const smart: { id: number; period: SchedulePeriod; planned: PlanSchedule; done: ScheduleProgress }[] = [];
    for (const { deviceId, schedule } of scheduled) {
      const run = this.runOf(deviceId);
      run.view.period = null;
      if (schedule?.mode !== 'smart') {
        run.view.plan = null;
        continue;
      }
      const period = nextPeriod(schedule.smart, nowS, this.deps.settings.timeZone);
      if (!period) {
        run.view.plan = null;
        continue;
      }
      run.view.period = period;
      const done = this.progressOf(deviceId, period);
      const { planned, energy } = this.request(deviceId, schedule.smart, period, done.ranS);
      run.view.energy = energy;
      smart.push({ id: deviceId, period, planned, done });
    }
    const signal = this.deps.signal();
    this.signalKey = keyOf(signal);
    const signalStale = signal ? (this.deps.signalStale?.() ?? null) : null;
    const used = signal ?? flatSignal(nowS);
    const progress = new Map<string, ScheduleProgress>();
    for (const s of smart) progress.set(String(s.id), s.done);
    const waiting = signal ? awaitNextProfile(smart, progress, signal) : new Set<number>();
    const limitW = this.deps.settings.householdLimitW ?? undefined;
    let plan: ReturnType<typeof makePlan> | undefined;
    try {
      if (smart.length > 0)
        plan = makePlan({
          signal: used,
          schedules: smart.map((s) => s.planned),
          progress,
          nowS,
          ...(limitW === undefined ? {} : { limitW }),
        });
    } catch (err) {
      // A bug, not the household's doing: said on every plan and logged, the rest runs on.
      this.deps.log.error({ err: String(err) }, 'the schedules could not be planned');
    }
    for (const s of smart) {
      const run = this.runOf(s.id);
      run.view.plan = plan?.devices.find((d) => d.deviceId === String(s.id)) ?? null;
      run.view.signal = signal;
      run.view.signalStale = signalStale;
      run.view.madeAtMs = this.deps.clock.nowMs();
      // No silent flat fallback: without a signal it runs as soon as it may, and says so.
      if (!plan) run.view.problem = 'not planned: the planner failed (see the hub’s log)';
      else if (!signal)
        run.view.problem = 'no price or carbon signal: it runs as soon as it may, to be ready in time';
      else if (waiting.has(s.id))
        run.view.problem = 'the signal ends before its ready-by: it waits for the next day-ahead profile';
      else if (run.view.problem?.startsWith('no price') || run.view.problem?.startsWith('the signal ends'))
        run.view.problem = null;
      this.keep(s.id, run);
    }
    if (smart.length > 0) this.counts.plans += 1;
    this.actuate();
  }

  /** Switches each scheduled device to what its schedule wants now, unless paused or waiting. */
  actuate(): void {
    // A new signal (the evening's day-ahead profile, a fetch) or one gone: plan again first.
    if (keyOf(this.deps.signal()) !== this.signalKey) return this.replan();
    const nowMs = this.deps.clock.nowMs();
    const nowS = Math.floor(nowMs / 1000);
    const ons: [number, Run][] = [];
    for (const { deviceId, schedule } of this.deps.schedules.all()) {
      if (!schedule) continue;
      const run = this.runOf(deviceId);
      // A smart schedule owns its device: with no plan (its last period is over) it stays off.
      const wants = desiredOn(schedule, run.view.plan?.intervals ?? [], nowS, this.deps.settings.timeZone);
      run.view.wantsOn = wants;
      if (wants === null || run.pending) continue;
      if (run.view.pausedUntilMs !== null) {
        if (run.view.pausedUntilMs > nowMs) continue;
        run.view.pausedUntilMs = null;
        if (run.view.problem?.startsWith('switched by hand')) run.view.problem = null;
        this.memory.save(deviceId, this.controlOf(run));
      }
      const state = this.deps.devices.state(deviceId);
      if (!state) continue;
      if (run.stoppedAtMs !== null && this.settleStop(deviceId, run, state, nowMs)) continue;
      // What it says now against what was last known of it (after a restart, before any report):
      // a run the hub thought open is closed, and the plan made again over what is left.
      if (state.on !== null && this.memory.tracker.note(deviceId, state.on, nowS)) {
        this.memory.save(deviceId, this.controlOf(run));
        this.replanSoon();
      }
      // What it is now, for telling a later switch by hand (reports only say what changed).
      if (run.lastSeenOn === null && state.on !== null) {
        run.lastSeenOn = state.on;
        run.offline = state.online !== true;
      }
      if (state.online === false) {
        run.view.problem = 'offline: it is switched when it is back';
        continue;
      }
      // Already as wanted: nothing to send (it counts as the runner's from now on).
      if (state.on === wants) {
        run.commanded = wants;
        if (/^(offline|not confirmed|not switched)/.test(run.view.problem ?? '')) run.view.problem = null;
        continue;
      }
      if (wants) ons.push([deviceId, run]);
      else this.switchTo(deviceId, run, false);
    }
    // Under a household limit, what goes off is off before anything comes on (when it confirms).
    const offPending = [...this.runs.values()].some((r) => r.pending && r.commanded === false);
    if (this.deps.settings.householdLimitW !== null && offPending) return;
    for (const [deviceId, run] of ons) this.switchTo(deviceId, run, true);
  }

  private switchTo(deviceId: number, run: Run, on: boolean): void {
    run.commanded = on;
    run.pending = true;
    this.counts.switched += 1;
    // A charger switched on is told where to stop (in case the hub is gone by then), or that it
    // has no limit: one it reached earlier stays until the car is unplugged and would keep it off.
    const state = this.deps.devices.state(deviceId);
    const limitKWh =
      on && state?.charger ? energyLimitKWh(run.view.energy, state.sessionKWh ?? null) : undefined;
    run.limitKWh = limitKWh ?? null;
    this.memory.save(deviceId, this.controlOf(run));
    const asked = this.deps.devices.switchTo(deviceId, on, limitKWh);
    void asked.then(
      ({ confirmed, reason }) => {
        run.pending = false;
        run.offline = false;
        if (confirmed) {
          if (run.view.problem?.startsWith('not confirmed') || run.view.problem?.startsWith('offline'))
            run.view.problem = null;
          // Under a limit, what waited for this to go off comes on now, not at the next tick.
          if (!on && this.deps.settings.householdLimitW !== null) this.actuate();
          return;
        }
        this.counts.notConfirmed += 1;
        run.view.problem = `not confirmed: ${reason ?? 'the device did not report the change'}`;
        this.deps.log.warn(
          { deviceId, on, reason },
          'a scheduled switch was not confirmed; flagged, tried again next time',
        );
      },
      (err: unknown) => {
        // Refused before it was sent (offline, no driver, MQTT off): flagged, tried again later.
        run.pending = false;
        this.counts.notConfirmed += 1;
        run.view.problem = `not switched: ${(err as Error).message}`;
      },
    );
  }

  /** Plans again once what is running now has finished (not from inside a report's handler). */
  private replanSoon(): void {
    if (this.replanQueued) return;
    this.replanQueued = true;
    queueMicrotask(() => {
      this.replanQueued = false;
      this.replan();
    });
  }

  /** Any switch still waiting for the device's report (tests wait for none). */
  busy(): boolean {
    return [...this.runs.values()].some((r) => r.pending);
  }

  /** A state report: measured run time, and a switch by hand pauses the schedule for the day. */
  private observe(deviceId: number): void {
    const run = this.runs.get(deviceId);
    const state = this.deps.devices.state(deviceId);
    if (!run || !state || state.on === null) return;
    const nowMs = this.deps.clock.nowMs();
    const noted = this.memory.tracker.note(deviceId, state.on, Math.floor(nowMs / 1000));
    if (noted && state.on) this.memory.noteRunStart(deviceId);
    if (state.on && state.powerW !== null && state.powerW > 0) this.memory.noteDraw(deviceId, state.powerW);
    if (noted) this.memory.save(deviceId, this.controlOf(run));
    if (this.measureEnergy(run, state.meterKWh ?? null)) this.replanSoon(); // its energy is in: done
    const changed = run.lastSeenOn !== null && state.on !== run.lastSeenOn;
    // A device that was away (power cut, restart) comes back as it boots: not a switch by hand.
    const cameBack = run.offline || state.online !== true;
    run.offline = state.online !== true;
    run.lastSeenOn = state.on;
    if (!changed || cameBack || run.pending || run.commanded === null || state.on === run.commanded) return;
    // A charger that stopped while it had a limit: at the limit, or by hand? Its session energy
    // comes after its stop (OpenEVSE sends `status` before `session_energy`): decided at a tick.
    if (!state.on && run.limitKWh !== null) {
      run.stoppedAtMs ??= nowMs;
      return;
    }
    this.pauseByHand(deviceId, run, state.on, nowMs);
  }

  /**
   * A charger's stop, once its session energy has come: at the limit it was given it did what it
   * was asked; short of it, it was stopped by hand. True while it is still too early to tell.
   */
  private settleStop(
    deviceId: number,
    run: Run,
    state: { on: boolean | null; sessionKWh?: number | null },
    nowMs: number,
  ): boolean {
    const reached = (state.sessionKWh ?? 0) >= (run.limitKWh ?? 0) - 0.01;
    if (!reached && state.on !== true && nowMs - run.stoppedAtMs! < REPORT_LAG_MS) return true;
    run.stoppedAtMs = null;
    if (state.on === true) return false;
    run.limitKWh = null;
    if (!reached) {
      this.pauseByHand(deviceId, run, false, nowMs);
      return false;
    }
    run.commanded = false;
    this.memory.save(deviceId, this.controlOf(run));
    return false;
  }

  /** A charger's delivered energy, kept fresh from its meter; true when it just reached its need. */
  private measureEnergy(run: Run, meterKWh: number | null): boolean {
    const energy = run.view.energy;
    const baselineKWh =
      run.view.period && this.memory.baselineOf(run.view.deviceId, run.view.period.readyByS);
    if (!energy || meterKWh === null || baselineKWh == null) return false;
    const wasShort = (energy.deliveredKWh ?? 0) < energy.neededKWh;
    run.view.energy = { ...energy, deliveredKWh: Math.max(0, meterKWh - baselineKWh) };
    return wasShort && run.view.energy.deliveredKWh! >= energy.neededKWh && run.view.wantsOn === true;
  }

  private pauseByHand(deviceId: number, run: Run, on: boolean, nowMs: number): void {
    this.counts.overrides += 1;
    run.commanded = on;
    // Paused for what is left of its period (a washer started by hand finishes), or of the day.
    // Until its ready-by (a washer started by hand finishes), at most a day: a weekday schedule
    // used by hand on Friday evening still runs on Monday.
    const periodEndMs = run.view.period ? run.view.period.readyByS * 1000 : null;
    run.view.pausedUntilMs =
      periodEndMs === null
        ? endOfLocalDayMs(nowMs, this.deps.settings.timeZone)
        : Math.min(periodEndMs, nowMs + DAY_MS);
    run.view.problem = 'switched by hand: the schedule waits until its next period';
    this.memory.save(deviceId, this.controlOf(run));
    this.deps.log.info({ deviceId, on }, 'switched by hand: its schedule is paused for the day');
  }

  /** Stores a plan that changed (its intervals or its signal), with that signal. */
  private keep(deviceId: number, run: Run): void {
    const { plan, signal, period } = run.view;
    const key = JSON.stringify([plan?.intervals, signal && keyOf(signal), period?.readyByS]);
    if (key === run.keptKey) return;
    run.keptKey = key;
    try {
      this.deps.store?.save(deviceId, run.view.madeAtMs ?? 0, { period, plan, signal });
    } catch (err) {
      this.deps.log.warn(
        { deviceId, err: String(err) },
        'a plan could not be stored; it is carried out all the same',
      );
    }
  }

  private request(deviceId: number, smart: SmartSchedule, period: SchedulePeriod, ranS: number) {
    const state = this.deps.devices.state(deviceId);
    const drawingW = state?.on && state.powerW !== null && state.powerW > 0 ? state.powerW : null;
    const meterKWh = state?.meterKWh ?? null;
    const baseline = this.memory.baseline(deviceId, period, meterKWh);
    if (baseline.changed) this.memory.save(deviceId, this.controlOf(this.runOf(deviceId)));
    return planRequest({
      deviceId,
      smart,
      period,
      measuredW: this.memory.measured(deviceId) ?? drawingW ?? smart.powerW ?? state?.ratedW ?? null,
      defaultPowerW: this.deps.settings.defaultPowerW,
      ranS,
      meterKWh,
      baselineKWh: baseline.meterKWh,
    });
  }

  private controlOf(run: Run) {
    return { commanded: run.commanded, pausedUntilMs: run.view.pausedUntilMs, limitKWh: run.limitKWh };
  }

  private progressOf(deviceId: number, period: SchedulePeriod): ScheduleProgress {
    const nowS = Math.floor(this.deps.clock.nowMs() / 1000);
    const run = this.runs.get(deviceId);
    // Only a run the schedule started in this period counts as started: one left on from the
    // period before (it ended at that ready-by) is not this period's, nor one switched by hand.
    const tracker = this.memory.tracker;
    const onSinceS = run?.commanded === true ? tracker.onSinceS(deviceId) : null;
    const started = onSinceS !== null && onSinceS >= period.previousS ? onSinceS : null;
    return { ranS: tracker.ranS(deviceId, period.previousS, nowS), runningSinceS: started };
  }

  private runOf(deviceId: number): Run {
    let run = this.runs.get(deviceId);
    if (!run) {
      run = newRun(deviceId);
      this.runs.set(deviceId, run);
    }
    return run;
  }
}
