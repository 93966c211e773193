import { z } from 'zod';
import type { PlanRunner } from '../../scheduler/plan-runner.js';
import type { ScheduleService } from '../../scheduler/schedule-service.js';
import type { DevicePlanJson, DeviceScheduleJson } from '../contract.js';
import { defineRoute, type RouteDef } from '../route-table.js';
import { wholeId } from '../route-schema.js';

const deviceParams = z.object({
  id: wholeId({ code: 'invalid_device_id', message: 'device id must be a whole number' }),
});

/**
 * A device's schedule (docs/demand-shaper.md): everyone signed in reads it; administrators set
 * and clear it. The body is checked by the schedule service (one schema, one message).
 */
export function scheduleRoutes(schedules: ScheduleService, plans: PlanRunner): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/devices/:id/plan',
      access: 'user',
      params: deviceParams,
      handler: (_req, res, { params }) => {
        schedules.get(params.id); // 404 for a device that does not exist
        res.json((plans.view(params.id) ?? null) satisfies DevicePlanJson | null);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/devices/:id/schedule',
      access: 'user',
      params: deviceParams,
      handler: (_req, res, { params }) => res.json(schedules.get(params.id) satisfies DeviceScheduleJson),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/devices/:id/schedule',
      access: 'admin',
      params: deviceParams,
      handler: (req, res, { params }) => res.json(schedules.set(params.id, req.body as unknown)),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/devices/:id/schedule',
      access: 'admin',
      params: deviceParams,
      handler: (_req, res, { params }) => {
        schedules.clear(params.id);
        res.status(204).end();
      },
    }),
  ];
}
