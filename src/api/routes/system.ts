import type { ReadinessReport, VersionInfo } from '../contract.js';
import type { RouteDef } from '../route-table.js';

export interface SystemDeps {
  readiness: () => ReadinessReport;
  version: VersionInfo;
  timeZone: string;
}

export function systemRoutes(deps: SystemDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/healthz',
      access: 'public',
      handler: (_req, res) => res.json({ status: 'alive' }),
    },
    {
      method: 'get',
      path: '/readyz',
      access: 'public',
      handler: (_req, res) => {
        const report = deps.readiness();
        res.status(report.ready ? 200 : 503).json(report);
      },
    },
    {
      method: 'get',
      path: '/api/v1/version',
      access: 'public',
      handler: (_req, res) => res.json(deps.version),
    },
    {
      method: 'get',
      path: '/api/v1/hub',
      access: 'user',
      handler: (_req, res) => res.json({ timeZone: deps.timeZone, version: deps.version.version }),
    },
  ];
}
