import type { ComponentStatus } from '../../shared/component.js';
import { UserError } from '../../shared/errors.js';
import type { RouteDef } from '../route-table.js';

export interface MqttRouteDeps {
  mqttCaCertificate: () => string | undefined;
  mqttStatus: () => ComponentStatus | undefined;
}

/** The broker's CA certificate and statistics (devices and their logins: routes/devices.ts). */
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
  ];
}
