import type { DeviceService } from '../../devices/device-service.js';
import type { ComponentStatus } from '../../shared/component.js';
import { UserError } from '../../shared/errors.js';
import type { RouteDef } from '../route-table.js';
import { bodyOf } from './session.js';

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
    {
      method: 'post',
      path: '/api/v1/devices',
      access: 'admin',
      handler: (req, res) => {
        const b = bodyOf(req);
        res.status(201).json(deps.devices.add(b.name, b.kind, b.topicName));
      },
    },
    {
      method: 'delete',
      path: '/api/v1/devices/:id',
      access: 'admin',
      handler: (req, res) => {
        const id = String(req.params.id);
        if (!/^\d{1,9}$/.test(id))
          throw new UserError('device id must be a whole number', 400, 'invalid_device_id');
        deps.devices.remove(Number(id));
        res.status(204).end();
      },
    },
  ];
}
