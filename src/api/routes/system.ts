import type { HubFacts, ReadinessReport, VersionInfo } from '../contract.js';
import { isIanaTimezone } from '../../config/schema.js';
import { UserError } from '../../shared/errors.js';
import { authOf, type RouteDef } from '../route-table.js';
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
        // Paths, ports and counters help an attacker; anyone may know whether the hub is up.
        const body = authOf(res).principal ? report : statesOnly(report);
        res.status(report.ready ? 200 : 503).json(body);
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
      handler: (_req, res) => res.json(hubFactsOf(deps)),
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

/** GET /api/v1/hub's answer (also inlined in the app shell: src/api/boot-state.ts). */
export function hubFactsOf(deps: Pick<SystemDeps, 'timeZone' | 'version'>): HubFacts {
  return { timeZone: deps.timeZone, version: deps.version.version };
}

/** The report without details: overall and per-component state. */
export function statesOnly(report: ReadinessReport): ReadinessReport {
  const components = Object.fromEntries(
    Object.entries(report.components).map(([name, s]) => [name, { state: s.state }]),
  );
  return { ready: report.ready, components };
}
