import type { ReadinessReport, VersionInfo } from '../contract.js';
import { isIanaTimezone } from '../../config/schema.js';
import { UserError } from '../../shared/errors.js';
import type { RouteDef } from '../route-table.js';
import { bodyOf } from './session.js';

export interface SystemDeps {
  readiness: () => ReadinessReport;
  version: VersionInfo;
  timeZone: string;
  /** Writes a new timezone to hub.json, for the next start; throws for a name that is not IANA. */
  saveTimeZone: (timeZone: string) => void;
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
    {
      method: 'put',
      path: '/api/v1/hub/timezone',
      access: 'admin',
      handler: (req, res) => {
        const timeZone = bodyOf(req).timeZone;
        if (typeof timeZone !== 'string' || !isIanaTimezone(timeZone))
          throw new UserError(
            'timeZone must be an IANA name such as "Europe/London"',
            400,
            'invalid_timezone',
          );
        deps.saveTimeZone(timeZone);
        // Calendar maths, costs and daily processes all read the zone at start.
        res.json({ timeZone, appliesAfterRestart: true });
      },
    },
  ];
}
