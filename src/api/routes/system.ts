import { z } from 'zod';
import type { HubFacts, ReadinessReport, VersionInfo } from '../contract.js';
import { isIanaTimezone } from '../../config/schema.js';
import { authOf, defineRoute, type RouteDef } from '../route-table.js';
import { field } from '../route-schema.js';

const timeZoneBody = z.object({
  timeZone: field(z.string().refine(isIanaTimezone), {
    code: 'invalid_timezone',
    message: 'timeZone must be an IANA name such as "Europe/London"',
  }),
});

export interface SystemDeps {
  readiness: () => ReadinessReport;
  version: VersionInfo;
  timeZone: string;
  /** Writes a new timezone to hub.json, for the next start; throws for a name that is not IANA. */
  /** Writes the zone to hub.json; says whether it takes effect only after a restart (the schema marks it). */
  saveTimeZone: (timeZone: string) => { restartRequired: boolean };
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
    defineRoute({
      method: 'put',
      path: '/api/v1/hub/timezone',
      access: 'admin',
      body: timeZoneBody,
      handler: (_req, res, { body }) => {
        // Calendar maths, costs and daily processes all read the zone at start.
        const { restartRequired } = deps.saveTimeZone(body.timeZone);
        res.json({ timeZone: body.timeZone, appliesAfterRestart: restartRequired });
      },
    }),
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
