import { scheduleRoutes } from '../api/routes/schedules.js';
import type { DbPorts } from '../db/wire.js';
import type { DevicePorts, DeviceRuntimePorts } from '../devices/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { Component } from '../shared/component.js';
import { SqlitePlanRepo } from './plan-repo.sqlite.js';
import { PlanRunner, type RunnerSignal } from './plan-runner.js';
import { SqliteScheduleRepo } from './schedule-repo.sqlite.js';
import { ScheduleService } from './schedule-service.js';

export interface SchedulerPorts {
  schedules: ScheduleService;
  plans: PlanRunner;
}

/** The household's optimisation target as one series (the signals capability's). */
interface TargetSignals {
  targetSignal(): { signal: RunnerSignal | undefined };
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
    store: new SqlitePlanRepo(ctx.db),
    devices: {
      state: (id) => {
        const view = ctx.deviceViews.get(id);
        return (
          view && { on: view.state.relays[0] ?? null, powerW: view.state.powerW, online: view.state.online }
        );
      },
      switchTo: async (id, on) => {
        const settled = await ctx.deviceControl.setState(id, { on }).settled;
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
