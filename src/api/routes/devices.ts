import { z } from 'zod';
import type { DeviceControlService } from '../../devices/device-control-service.js';
import type { DeviceService } from '../../devices/device-service.js';
import { DEVICE_KINDS } from '../../devices/device-topics.js';
import type { DeviceViews } from '../../devices/device-views.js';
import { UserError } from '../../shared/errors.js';
import type { ControlStatusView, DeviceView } from '../contract.js';
import { defineRoute, type RouteDef } from '../route-table.js';
import { field, queryFlag, wholeId } from '../route-schema.js';
import { text } from './common-schemas.js';

/** Types only: the device service checks lengths, kinds and topic names. */
const newDeviceBody = z.object({
  name: field(z.string(), { code: 'invalid_name', message: 'name must be 1 to 64 characters' }),
  kind: field(z.enum(DEVICE_KINDS), {
    code: 'invalid_kind',
    message: `kind must be one of ${DEVICE_KINDS.join(', ')}`,
  }),
  topicName: text('topicName', 'invalid_topic').optional(),
});

const deviceParams = z.object({
  id: wholeId({ code: 'invalid_device_id', message: 'device id must be a whole number' }),
});

const deviceChangesBody = z.object({
  name: text('name').optional(),
  room: field(z.string().nullable(), {
    code: 'invalid_room',
    message: 'room must be text or null',
  }).optional(),
});

/** Unknown keys are refused: a typo ("On") must not pass as "nothing to change". */
const desiredStateBody = z.strictObject({
  on: field(z.boolean(), { code: 'invalid_on', message: 'on must be true or false' }).optional(),
  relay: field(z.number().int().min(0).max(63), {
    code: 'invalid_relay',
    message: 'relay must be a whole number from 0',
  }).optional(),
  currentLimitA: field(z.number().positive().max(100), {
    code: 'invalid_current_limit',
    message: 'currentLimitA must be a number of amps above 0',
  }).optional(),
  energyLimitKWh: field(z.number().positive().max(1000).nullable(), {
    code: 'invalid_energy_limit',
    message: 'energyLimitKWh must be a number of kWh above 0, or null to clear it',
  }).optional(),
});

export interface DeviceRouteDeps {
  devices: DeviceService;
  views: DeviceViews;
  control: DeviceControlService;
}

const notFound = (id: number) => new UserError(`device ${id} does not exist`, 404, 'device_not_found');

/** Devices: everyone signed in sees them; only administrators add, change, switch or delete them. */
export function deviceRoutes({ devices, views, control }: DeviceRouteDeps): RouteDef[] {
  const viewOf = (id: number): DeviceView => {
    const view = views.get(id);
    if (!view) throw notFound(id);
    return view;
  };
  return [
    {
      method: 'get',
      path: '/api/v1/devices',
      access: 'user',
      handler: (_req, res) => res.json(views.list() satisfies DeviceView[]),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/devices',
      access: 'admin',
      body: newDeviceBody,
      handler: (_req, res, { body }) =>
        res.status(201).json(devices.add(body.name, body.kind, body.topicName)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/devices/:id',
      access: 'user',
      params: deviceParams,
      handler: (_req, res, { params }) => res.json(viewOf(params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/devices/:id',
      access: 'admin',
      params: deviceParams,
      body: deviceChangesBody,
      handler: (_req, res, { params, body }) => {
        devices.update(params.id, body);
        res.json(viewOf(params.id));
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/devices/:id/state',
      access: 'admin',
      params: deviceParams,
      query: z.object({ wait: queryFlag }),
      body: desiredStateBody,
      // 202 with the pending status at once; ?wait=1 answers 200 once it is confirmed, not confirmed or failed.
      handler: async (_req, res, { params, query, body }) => {
        const request = control.setState(params.id, body);
        if (!query.wait) return res.status(202).json(request.status satisfies ControlStatusView);
        res.json((await request.settled) satisfies ControlStatusView);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/devices/:id',
      access: 'admin',
      params: deviceParams,
      handler: (_req, res, { params }) => {
        devices.remove(params.id);
        res.status(204).end();
      },
    }),
  ];
}
