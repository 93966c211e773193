import { z } from 'zod';
import type { FeedService } from '../../timeseries/feed-service.js';
import { CALENDAR_UNITS } from '../../timeseries/calendar.js';
import { samplesToCsv } from '../../timeseries/csv-export.js';
import { ALLOWED_INTERVALS_S } from '../../timeseries/phpfina-format.js';
import type { FeedJson, FeedLastJson } from '../contract.js';
import { defineRoute, principalOf, type RouteDef } from '../route-table.js';
import { field, inputError, queryFlag } from '../route-schema.js';

/** A feed id in the path: digits only, so never a path of its own (`..%2F1`). */
const feedParams = z.object({
  id: field(z.string().regex(/^\d{1,9}$/), {
    code: 'invalid_feed_id',
    message: 'feed id must be a whole number',
  }).transform(Number),
});

/** A query number as JavaScript's Number() reads it; finite. */
const queryNumber = (code: string, message: string) =>
  field(z.string().transform(Number).pipe(z.number().finite()), { code, message });

/** Text fields: the type here, lengths and characters in the feed service. */
const feedText = (name: string, minLength: number) =>
  field(z.string(), {
    code: `invalid_${name}`,
    message: `${name} must be text of ${minLength} to 64 characters`,
  });
const retentionDays = field(z.number().nullable(), {
  code: 'invalid_retention',
  message: 'retentionDays must be a whole number of days from 1 to 36500, or null',
}).optional();
const isPublic = field(z.boolean(), { code: 'invalid_public', message: 'public must be true or false' });

const newFeedBody = z.object({
  name: feedText('name', 1),
  // A number or its text ("10"), as the API took before it had schemas; the service checks the value.
  intervalS: field(z.union([z.number(), z.string().transform(Number)]), {
    code: 'invalid_interval',
    message: `interval must be one of ${ALLOWED_INTERVALS_S.join(', ')} seconds`,
  }),
  tag: feedText('tag', 0).optional(),
  unit: feedText('unit', 0).optional(),
  public: isPublic.optional(),
  retentionDays,
});

const feedChangesBody = z.object({
  name: feedText('name', 1).optional(),
  tag: feedText('tag', 0).optional(),
  unit: feedText('unit', 0).optional(),
  public: isPublic.optional(),
  retentionDays,
});

/** `{points: [[timeS, value|null], …], join?}`: the shape; the types are checked by the handler. */
const pointsBody = z.object({
  points: field(z.array(z.unknown()), {
    code: 'invalid_points',
    message: 'points must be a list of [timeS, value]',
  }).pipe(
    z.array(
      field(z.tuple([z.unknown(), z.unknown()]), {
        code: 'invalid_points',
        message: 'each point must be [timeS, value]',
      }),
    ),
  ),
  join: z
    .unknown()
    .optional()
    .transform((v) => v === true),
});

/** Each point's types; null is a missing value. A failure refuses (and counts) the whole batch. */
const typedPoints = z.object({
  points: z.array(
    z.tuple([
      field(z.number(), {
        code: 'invalid_point',
        message: (path) => `point ${String(path[1])}: time must be unix seconds; nothing was stored`,
      }),
      field(z.number().nullable(), {
        code: 'invalid_point',
        message: (path) => `point ${String(path[1])}: value must be a number; nothing was stored`,
      }),
    ]),
  ),
});

const dataQuery = z.object({
  interval: field(
    z.union([z.enum(CALENDAR_UNITS), z.string().transform(Number).pipe(z.number().positive())]),
    {
      code: 'invalid_interval',
      message: 'interval must be seconds or daily, weekly, monthly, annual',
    },
  ),
  start: queryNumber('invalid_range', 'start and end must be unix seconds'),
  end: queryNumber('invalid_range', 'start and end must be unix seconds'),
  average: queryFlag,
  skipmissing: queryFlag,
  delta: queryFlag,
  format: z
    .unknown()
    .optional()
    .transform((v) => (v === 'csv' ? 'csv' : 'json')),
  timeformat: z
    .unknown()
    .optional()
    .transform((v) => (v === 'excel' || v === 'iso8601' ? v : 'unix')),
});

/**
 * The hub's own feed API (JSON, times in seconds here; the full /api/v1 contract for the web app
 * and the emoncms-compatible /feed/* surface come with the ingestion issue).
 */
export function feedRoutes(feeds: FeedService, timeZone: string): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/feeds',
      access: 'user',
      handler: (_req, res) => res.json(feeds.list() satisfies FeedJson[]),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/feeds',
      access: 'admin',
      body: newFeedBody,
      handler: (_req, res, { body }) => {
        const feed: FeedJson = feeds.create({ ...body, ownerId: principalOf(res).userId });
        res.status(201).json(feed);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/feeds/:id',
      access: 'user',
      params: feedParams,
      handler: (_req, res, { params }) => res.json(feeds.get(params.id) satisfies FeedJson),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/feeds/:id',
      access: 'admin',
      params: feedParams,
      body: feedChangesBody,
      handler: (_req, res, { params, body }) => res.json(feeds.update(params.id, body) satisfies FeedJson),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/feeds/:id',
      access: 'admin',
      params: feedParams,
      handler: async (_req, res, { params }) => {
        await feeds.delete(params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/feeds/:id/clear',
      access: 'admin',
      params: feedParams,
      handler: async (_req, res, { params }) => {
        await feeds.clear(params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/feeds/:id/points',
      access: 'admin',
      params: feedParams,
      body: pointsBody,
      handler: async (_req, res, { params, body }) => {
        const typed = typedPoints.safeParse(body);
        if (!typed.success) {
          // Every drop is counted (ARCHITECTURE): as feeds.post counts the batches it refuses.
          feeds.counters.refused += body.points.length;
          throw inputError('body', typed.error);
        }
        const points = typed.data.points.map(([tsS, value]) => ({ tsS, value: value ?? NaN }));
        res.json({ accepted: await feeds.post(params.id, points, body.join) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/feeds/:id/data',
      access: 'user',
      params: feedParams,
      query: dataQuery,
      handler: async (_req, res, { params, query: q }) => {
        const samples = await feeds.read(params.id, {
          startS: q.start,
          endS: q.end,
          interval: q.interval,
          average: q.average,
          skipMissing: q.skipmissing,
          delta: q.delta,
        });
        if (q.format === 'csv') {
          res.type('text/csv').send(samplesToCsv(samples, q.timeformat, timeZone));
          return;
        }
        res.json(samples);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/feeds/:id/export',
      access: 'user',
      params: feedParams,
      query: z.object({
        start: field(
          z
            .string()
            .optional()
            .transform((v) => Number(v ?? 0))
            .pipe(z.number().int().nonnegative()),
          { code: 'invalid_offset', message: 'start must be a byte offset' },
        ),
      }),
      handler: async (_req, res, { params, query }) => {
        res.set({
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename=${params.id}.dat`,
        });
        res.send(Buffer.from(await feeds.exportBytes(params.id, query.start)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/feeds/:id/trim',
      access: 'admin',
      params: feedParams,
      body: z.object({
        startTimeS: field(z.union([z.number(), z.string().transform(Number)]), {
          code: 'invalid_time',
          message: 'trim time must be unix seconds',
        }),
      }),
      handler: async (_req, res, { params, body }) => {
        await feeds.trim(params.id, body.startTimeS);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/feeds/:id/value',
      access: 'user',
      params: feedParams,
      query: z.object({ time: queryNumber('invalid_time', 'time must be unix seconds') }),
      handler: async (_req, res, { params, query }) =>
        res.json({ tsS: query.time, value: await feeds.valueAt(params.id, query.time) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/feeds/:id/last',
      access: 'user',
      params: feedParams,
      handler: async (_req, res, { params }) =>
        res.json((await feeds.lastValue(params.id)) satisfies FeedLastJson | null),
    }),
  ];
}
