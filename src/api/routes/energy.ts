import type { Request } from 'express';
import type { Clock } from '../../shared/clock.js';
import { UserError } from '../../shared/errors.js';
import { wallClock } from '../../shared/zoned-time.js';
import { energyByDay, energySlots } from '../../signals/energy.js';
import { costOf, goodTimeNow } from '../../signals/tariff.js';
import type { TariffService } from '../../signals/tariff-service.js';
import { localMidnightS, startOfLocalDayS } from '../../timeseries/calendar.js';
import { canReadFeed } from '../../timeseries/feed-access.js';
import type { FeedService } from '../../timeseries/feed-service.js';
import { authOf, type RouteDef } from '../route-table.js';
import { bodyOf } from './session.js';

const SLOT_S = 1800;

export interface EnergyRouteDeps {
  feeds: FeedService;
  tariff: TariffService;
  clock: Clock;
  timeZone: string;
}

/** The tariff, and today's energy and cost of a power feed under it. */
export function energyRoutes(deps: EnergyRouteDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/tariff',
      access: 'user',
      handler: (_req, res) => res.json(deps.tariff.get()),
    },
    {
      method: 'put',
      path: '/api/v1/tariff',
      access: 'admin',
      handler: (req, res) => res.json(deps.tariff.set(bodyOf(req))),
    },
    {
      method: 'get',
      path: '/api/v1/energy/summary',
      access: 'user',
      handler: async (req, res) => {
        const feed = deps.feeds.get(feedIdOf(req));
        if (!canReadFeed(authOf(res).principal, feed))
          throw new UserError('feed not found', 404, 'feed_not_found');
        const { startS, endS, days } = daysOf(req, deps.timeZone);
        const nowS = Math.floor(deps.clock.nowMs() / 1000);
        const samples = await deps.feeds.read(feed.id, {
          startS,
          endS,
          interval: SLOT_S,
          average: true,
          skipMissing: false,
        });
        const slots = energySlots(samples, SLOT_S, Math.min(nowS, endS), deps.timeZone);
        const tariff = deps.tariff.get();
        res.json({
          feedId: feed.id,
          startS,
          endS,
          currency: tariff.currency,
          ...costOf(tariff, slots, days),
          days: energyByDay(tariff, slots, (t) => startOfLocalDayS(t, deps.timeZone)),
          halfHours:
            req.query.halfHours === '1'
              ? slots.map((s) => ({ startS: s.startS, energyKWh: s.energyKWh }))
              : undefined,
        });
      },
    },
    {
      method: 'get',
      path: '/api/v1/energy/today',
      access: 'user',
      handler: async (req, res) => {
        const feed = deps.feeds.get(feedIdOf(req));
        if (!canReadFeed(authOf(res).principal, feed))
          throw new UserError('feed not found', 404, 'feed_not_found');
        const nowS = Math.floor(deps.clock.nowMs() / 1000);
        const dayStartS = startOfLocalDayS(nowS, deps.timeZone);
        const samples = await deps.feeds.read(feed.id, {
          startS: dayStartS,
          endS: nowS,
          interval: SLOT_S,
          average: true,
          skipMissing: false,
        });
        const tariff = deps.tariff.get();
        const w = wallClock(nowS, deps.timeZone);
        res.json({
          feedId: feed.id,
          dayStartS,
          slots: samples.length,
          currency: tariff.currency,
          ...costOf(tariff, energySlots(samples, SLOT_S, nowS, deps.timeZone), 1),
          goodTime: goodTimeNow(tariff, w.hour * 60 + w.minute),
        });
      },
    },
  ];
}

/**
 * Whole local days: `month=YYYY-MM` (that month in the hub's timezone), or `start` (any time in the
 * first day) to `end` (exclusive); at most 366 days.
 */
function daysOf(req: Request, timeZone: string): { startS: number; endS: number; days: number } {
  const month = /^(\d{4})-(\d{2})$/.exec(String(req.query.month ?? ''));
  const [year, monthNo] = month ? [Number(month[1]), Number(month[2])] : [0, 0];
  if (month && (monthNo < 1 || monthNo > 12))
    throw new UserError('month must be YYYY-MM', 400, 'invalid_range');
  const start = month ? localMidnightS({ year, month: monthNo, day: 1 }, timeZone) : Number(req.query.start);
  const end = month
    ? localMidnightS({ year: monthNo === 12 ? year + 1 : year, month: (monthNo % 12) + 1, day: 1 }, timeZone)
    : Number(req.query.end);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start)
    throw new UserError('start and end must be unix seconds, start before end', 400, 'invalid_range');
  if (end - start > 366 * 86_400) throw new UserError('at most 366 days at a time', 400, 'invalid_range');
  const startS = startOfLocalDayS(start, timeZone);
  let days = 0;
  for (let t = startS; t < end; t = startOfLocalDayS(t + 36 * 3600, timeZone)) days++;
  return { startS, endS: end, days };
}

function feedIdOf(req: Request): number {
  const id = String(req.query.feedId ?? '');
  if (!/^\d{1,9}$/.test(id)) throw new UserError('feedId must be a feed id', 400, 'invalid_feed_id');
  return Number(id);
}
