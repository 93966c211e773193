import type { ServerConnectionView } from '../../uplink/ports.js';
import type { RouteDef } from '../route-table.js';

/** GET /api/v1/server: the outgoing server connection (docs/updates.md, Remote trigger). */
export function serverConnectionRoutes(view: () => ServerConnectionView): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/server',
      access: 'admin',
      handler: (_req, res) => {
        res.json(view());
      },
    },
  ];
}
