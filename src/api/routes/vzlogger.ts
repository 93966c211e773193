import type { Request, Response } from 'express';
import { isVzUuid, parseVzData, vzError, vzRefusal, vzRows } from '../../ingest/vzlogger-payload.js';
import type { VzloggerService } from '../../ingest/vzlogger-service.js';
import type { Clock } from '../../shared/clock.js';
import { UserError } from '../../shared/errors.js';
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route-table.js';
import { text } from './common-schemas.js';

/**
 * vzlogger's middleware upload (`POST <middleware>/data/<uuid>.json`, answered as volkszaehler
 * does) and the administrator's UUID → input mapping. The data routes are public because
 * vzlogger sends no credentials: only UUIDs an administrator mapped are accepted.
 */
export function vzloggerRoutes(vz: VzloggerService, clock: Clock): RouteDef[] {
  const data = (path: string): RouteDef => ({
    method: 'post',
    path,
    access: 'public',
    handler: (req, res) => postData(vz, clock, req, res),
  });
  return [
    data('/data/:file'),
    data('/middleware.php/data/:file'),
    data('/middleware/data/:file'),
    {
      method: 'get',
      path: '/api/v1/vzlogger/channels',
      access: 'admin',
      handler: (_req, res) => res.json(vz.channels()),
    },
    defineRoute({
      method: 'put',
      path: '/api/v1/vzlogger/channels/:uuid',
      access: 'admin',
      params: z.object({ uuid: z.string() }),
      // Types here; the UUID's form and the name rules in the vzlogger service.
      body: z.object({ node: text('node', 'invalid_name'), name: text('name') }),
      handler: (_req, res, { params, body }) => res.json(vz.map(params.uuid, body.node, body.name)),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/vzlogger/channels/:uuid',
      access: 'admin',
      params: z.object({ uuid: z.string() }),
      handler: (_req, res, { params }) => {
        if (!vz.unmap(params.uuid)) throw new UserError('no such vzlogger channel', 404, 'channel_not_found');
        res.status(204).end();
      },
    }),
  ];
}

async function postData(vz: VzloggerService, clock: Clock, req: Request, res: Response): Promise<void> {
  const file = String(req.params.file);
  const uuid = file.endsWith('.json') ? file.slice(0, -'.json'.length) : file;
  if (!isVzUuid(uuid)) {
    res.status(400).json(vzError(`Invalid UUID: '${uuid}'`, 'Exception'));
    return;
  }
  const parsed = parseVzData(req.body, req.query as Record<string, unknown>, clock.nowMs());
  if (!parsed.ok) {
    res.status(400).json(vzError(parsed.error, 'Exception'));
    return;
  }
  const refusal = vzRefusal(await vz.push([{ uuid, tuples: parsed.value }]));
  if (refusal) {
    res.status(refusal.status).json(refusal.body);
    return;
  }
  res.json(vzRows(parsed.value.length));
}
