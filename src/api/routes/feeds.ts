import type { Request } from 'express';
import type { FeedService } from '../../timeseries/feed-service.js';
import { samplesToCsv } from '../../timeseries/csv-export.js';
import { isCalendarUnit } from '../../timeseries/read-query.js';
import { UserError } from '../../shared/errors.js';
import { principalOf, type RouteDef } from '../route-table.js';
import { bodyOf } from './session.js';

/**
 * The hub's own feed API (JSON, times in seconds here; the full /api/v1 contract for the web app
 * and the emoncms-compatible /feed/* surface come with the ingestion issue).
 */
export function feedRoutes(feeds: FeedService, timeZone: string): RouteDef[] {
  return [
    { method: 'get', path: '/api/v1/feeds', access: 'user', handler: (_req, res) => res.json(feeds.list()) },
    {
      method: 'post',
      path: '/api/v1/feeds',
      access: 'admin',
      handler: (req, res) => {
        const b = bodyOf(req);
        const feed = feeds.create({
          ...b,
          ownerId: principalOf(res).userId,
          name: b.name,
          intervalS: b.intervalS,
        });
        res.status(201).json(feed);
      },
    },
    {
      method: 'get',
      path: '/api/v1/feeds/:id',
      access: 'user',
      handler: (req, res) => res.json(feeds.get(feedId(req))),
    },
    {
      method: 'patch',
      path: '/api/v1/feeds/:id',
      access: 'admin',
      handler: (req, res) => res.json(feeds.update(feedId(req), bodyOf(req))),
    },
    {
      method: 'delete',
      path: '/api/v1/feeds/:id',
      access: 'admin',
      handler: async (req, res) => {
        await feeds.delete(feedId(req));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/v1/feeds/:id/clear',
      access: 'admin',
      handler: async (req, res) => {
        await feeds.clear(feedId(req));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/v1/feeds/:id/points',
      access: 'admin',
      handler: async (req, res) => {
        const b = bodyOf(req);
        if (!Array.isArray(b.points))
          throw new UserError('points must be a list of [timeS, value]', 400, 'invalid_points');
        const points = (b.points as unknown[]).map((p) => {
          if (!Array.isArray(p) || p.length !== 2)
            throw new UserError('each point must be [timeS, value]', 400, 'invalid_points');
          return { tsS: p[0] as unknown, value: p[1] === null ? NaN : (p[1] as unknown) };
        });
        res.json({ accepted: await feeds.post(feedId(req), points, b.join === true) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/feeds/:id/data',
      access: 'user',
      handler: async (req, res) => {
        const q = req.query;
        const interval = isCalendarUnit(q.interval) ? q.interval : Number(q.interval ?? 0);
        if (interval !== q.interval && !(Number(interval) > 0)) {
          throw new UserError(
            'interval must be seconds or daily, weekly, monthly, annual',
            400,
            'invalid_interval',
          );
        }
        const startS = Number(q.start);
        const endS = Number(q.end);
        if (!Number.isFinite(startS) || !Number.isFinite(endS))
          throw new UserError('start and end must be unix seconds', 400, 'invalid_range');
        const samples = await feeds.read(feedId(req), {
          startS,
          endS,
          interval,
          average: q.average === '1' || q.average === 'true',
          skipMissing: q.skipmissing === '1' || q.skipmissing === 'true',
          delta: q.delta === '1' || q.delta === 'true',
        });
        if (q.format === 'csv') {
          const timeformat = q.timeformat === 'excel' || q.timeformat === 'iso8601' ? q.timeformat : 'unix';
          res.type('text/csv').send(samplesToCsv(samples, timeformat, timeZone));
          return;
        }
        res.json(samples);
      },
    },
    {
      method: 'get',
      path: '/api/v1/feeds/:id/export',
      access: 'user',
      handler: async (req, res) => {
        const fromByte = Number(req.query.start ?? 0);
        if (!Number.isInteger(fromByte) || fromByte < 0)
          throw new UserError('start must be a byte offset', 400, 'invalid_offset');
        const id = feedId(req);
        res.set({
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename=${id}.dat`,
        });
        res.send(Buffer.from(await feeds.exportBytes(id, fromByte)));
      },
    },
    {
      method: 'post',
      path: '/api/v1/feeds/:id/trim',
      access: 'admin',
      handler: async (req, res) => {
        await feeds.trim(feedId(req), Number(bodyOf(req).startTimeS));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/api/v1/feeds/:id/value',
      access: 'user',
      handler: async (req, res) => {
        const tsS = Number(req.query.time);
        if (!Number.isFinite(tsS)) throw new UserError('time must be unix seconds', 400, 'invalid_time');
        res.json({ tsS, value: await feeds.valueAt(feedId(req), tsS) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/feeds/:id/last',
      access: 'user',
      handler: async (req, res) => res.json(await feeds.lastValue(feedId(req))),
    },
  ];
}

function feedId(req: Request): number {
  const id = String(req.params.id);
  if (!/^\d{1,9}$/.test(id)) throw new UserError('feed id must be a whole number', 400, 'invalid_feed_id');
  return Number(id);
}
