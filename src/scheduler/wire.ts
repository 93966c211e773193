import { scheduleRoutes } from '../api/routes/schedules.js';
import type { DbPorts } from '../db/wire.js';
import type { DevicePorts, DeviceRuntimePorts } from '../devices/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { Component } from '../shared/component.js';
import { SqlitePlanRepo } from './plan-repo.sqlite.js';
import { PlanRunner, type RunnerSignal } from './plan-runner.js';
import { SqliteRunMemoryStore } from './run-memory.sqlite.js';
import { SqliteScheduleRepo } from './schedule-repo.sqlite.js';
import { ScheduleService } from './schedule-service.js';

/** Single-phase mains, for a charger's rate from its current before a draw is measured. */
const MAINS_V = 230;
const ratedW = (currentA: number | null) => (currentA !== null && currentA > 0 ? currentA * MAINS_V : null);

export interface SchedulerPorts {
  schedules: ScheduleService;
  plans: PlanRunner;
}

/** The household's optimisation target as one series (the signals capability's). */
interface TargetSignals {
  targetSignal(): { signal: RunnerSignal | undefined };
  /** Why the target's signals cannot be trusted now, or null. */
  targetProblem(): string | null;
}

/** The demand shaper (docs/demand-shaper.md): schedules per device, plans, and carrying them out. */
export function wireScheduler(
  ctx: ModuleContext & DbPorts & DevicePorts & DeviceRuntimePorts & { signals?: TargetSignals },
): WiredModule<SchedulerPorts> {
  const log = ctx.log.child({ component: 'scheduler' });
  const schedules = new ScheduleService({
    repo: new SqliteScheduleRepo(ctx.db),
    devices: { kindOf: (id) => ctx.devices.record(id)?.kind },
    bus: ctx.bus,
    clock: ctx.clock,
    log,
  });
  const plans = new PlanRunner({
    schedules,
    signal: () => ctx.signals?.targetSignal().signal ?? null,
    signalStale: () => ctx.signals?.targetProblem() ?? null,
    store: new SqlitePlanRepo(ctx.db),
    memory: new SqliteRunMemoryStore(ctx.db),
    devices: {
      state: (id) => {
        const view = ctx.deviceViews.get(id);
        return (
          view && {
            on: view.state.relays[0] ?? null,
            powerW: view.state.powerW,
            online: view.state.online,
            meterKWh: view.state.energyKWh,
            sessionKWh: view.state.ev?.sessionEnergyKWh ?? null,
            ratedW: ratedW(view.state.ev?.currentLimitA ?? null),
            charger: ctx.devices.record(id)?.kind === 'openevse',
          }
        );
      },
      switchTo: async (id, on, energyLimitKWh) => {
        const desired = energyLimitKWh === undefined ? { on } : { on, energyLimitKWh };
        const settled = await ctx.deviceControl.setState(id, desired).settled;
        return { confirmed: settled.status === 'confirmed', reason: settled.reason };
      },
    },
    bus: ctx.bus,
    clock: ctx.clock,
    log,
    settings: {
      timeZone: ctx.config.timezone,
      tickMs: ctx.config.scheduler.tickS * 1000,
      replanMs: ctx.config.scheduler.replanMinutes * 60_000,
      defaultPowerW: ctx.config.scheduler.defaultPowerW,
      householdLimitW: ctx.config.scheduler.householdLimitW,
    },
  });
  const follower: Component = {
    name: 'schedules',
    start: async () => schedules.follow(),
    stop: async () => schedules.unfollow(),
    status: () => ({ state: 'ready' }),
  };
  return {
    components: [follower, plans],
    routes: scheduleRoutes(schedules, plans),
    ports: { schedules, plans },
  };
}
