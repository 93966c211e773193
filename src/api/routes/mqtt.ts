import { z } from 'zod';
import type { DeviceService } from '../../devices/device-service.js';
import { DEVICE_KINDS } from '../../devices/device-topics.js';
import type { ComponentStatus } from '../../shared/component.js';
import { UserError } from '../../shared/errors.js';
import { defineRoute, type RouteDef } from '../route-table.js';
import { field, wholeId } from '../route-schema.js';
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

export interface MqttRouteDeps {
  devices: DeviceService;
  mqttCaCertificate: () => string | undefined;
  mqttStatus: () => ComponentStatus | undefined;
}

/** Devices and their MQTT logins, the broker's CA certificate and statistics. */
export function mqttRoutes(deps: MqttRouteDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/mqtt/ca.crt',
      access: 'public',
      handler: (_req, res) => {
        const pem = deps.mqttCaCertificate();
        if (!pem) throw new UserError('MQTT over TLS is turned off', 404, 'tls_disabled');
        res.set('Content-Disposition', 'attachment; filename="energy-hub-ca.crt"');
        res.type('application/x-pem-file').send(pem);
      },
    },
    {
      method: 'get',
      path: '/api/v1/mqtt/stats',
      access: 'admin',
      handler: (_req, res) => res.json(deps.mqttStatus() ?? { state: 'stopped' }),
    },
    {
      method: 'get',
      path: '/api/v1/devices',
      access: 'admin',
      handler: (_req, res) => res.json(deps.devices.list()),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/devices',
      access: 'admin',
      body: newDeviceBody,
      handler: (_req, res, { body }) =>
        res.status(201).json(deps.devices.add(body.name, body.kind, body.topicName)),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/devices/:id',
      access: 'admin',
      params: z.object({
        id: wholeId({ code: 'invalid_device_id', message: 'device id must be a whole number' }),
      }),
      handler: (_req, res, { params }) => {
        deps.devices.remove(params.id);
        res.status(204).end();
      },
    }),
  ];
}
