import { scheduleRoutes } from '../api/routes/schedules.js';
import type { DbPorts } from '../db/wire.js';
import type { DevicePorts } from '../devices/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { Component } from '../shared/component.js';
import { SqliteScheduleRepo } from './schedule-repo.sqlite.js';
import { ScheduleService } from './schedule-service.js';

export interface SchedulerPorts {
  schedules: ScheduleService;
}

/** The demand shaper (docs/demand-shaper.md): schedules per device; the planner and runner follow. */
export function wireScheduler(ctx: ModuleContext & DbPorts & DevicePorts): WiredModule<SchedulerPorts> {
  const schedules = new ScheduleService({
    repo: new SqliteScheduleRepo(ctx.db),
    devices: { kindOf: (id) => ctx.devices.record(id)?.kind },
    bus: ctx.bus,
    clock: ctx.clock,
    log: ctx.log.child({ component: 'scheduler' }),
  });
  const follower: Component = {
    name: 'schedules',
    start: async () => schedules.follow(),
    stop: async () => schedules.unfollow(),
    status: () => ({ state: 'ready' }),
  };
  return { components: [follower], routes: scheduleRoutes(schedules), ports: { schedules } };
}
