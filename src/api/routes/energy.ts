import { z } from 'zod';
import type { Clock } from '../../shared/clock.js';
import { UserError } from '../../shared/errors.js';
import { wallClock } from '../../shared/zoned-time.js';
import type { FlowSlot } from '../../signals/energy-flows.js';
import { energyByDay, flowSlots } from '../../signals/energy.js';
import {
  changeOf,
  monthPeriods,
  weekPeriods,
  type ComparedPeriods,
} from '../../signals/energy-comparison.js';
import { summariseEnergy } from '../../signals/energy-summary.js';
import { pickHouseholdFeeds, type HouseholdRole } from '../../signals/household-feeds.js';
import { SIGNAL_FEED_TAG } from '../../signals/signal-feed-writer.js';
import { goodTimeNow, tariffSchema } from '../../signals/tariff.js';
import type { TariffService } from '../../signals/tariff-service.js';
import { localMidnightS, startOfLocalDayS } from '../../timeseries/calendar.js';
import { canReadFeed } from '../../timeseries/feed-access.js';
import type { FeedService } from '../../timeseries/feed-service.js';
import type { FeedRecord } from '../../timeseries/ports.js';
import type { Principal } from '../../auth/roles.js';
import type { ComparedPeriodJson, ComparisonJson, EnergyComparison, EnergyToday } from '../contract.js';
import { authOf, defineRoute, type RouteDef } from '../route-table.js';
import { field } from '../route-schema.js';

const SLOT_S = 1800;

const tariffBody = field(tariffSchema, {
  code: 'invalid_tariff',
  message: (path, _input, problem) => `tariff ${path.join('.') || 'body'}: ${problem}`,
});

/** `feedId=`: one feed as the house's use instead of the household's feeds. */
const feedIdQuery = field(z.string().regex(/^\d{1,9}$/), {
  code: 'invalid_feed_id',
  message: 'feedId must be a feed id',
})
  .transform(Number)
  .optional();

const RANGE_RULE = { code: 'invalid_range', message: 'date must be YYYY-MM-DD, month YYYY-MM, year YYYY' };
const daysQuery = z.object({
  feedId: feedIdQuery,
  date: field(z.string(), RANGE_RULE).optional(),
  month: field(z.string(), RANGE_RULE).optional(),
  year: field(z.string(), RANGE_RULE).optional(),
  start: field(z.string(), { ...RANGE_RULE, message: 'start and end must be unix seconds' }).optional(),
  end: field(z.string(), { ...RANGE_RULE, message: 'start and end must be unix seconds' }).optional(),
  halfHours: z
    .unknown()
    .optional()
    .transform((v) => v === '1'),
});
type DaysQuery = z.output<typeof daysQuery>;

export interface EnergyRouteDeps {
  feeds: FeedService;
  tariff: TariffService;
  clock: Clock;
  timeZone: string;
}

/** The tariff, and the household's energy, cost and solar ratios under it (today or whole days). */
export function energyRoutes(deps: EnergyRouteDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/tariff',
      access: 'user',
      handler: (_req, res) => res.json(deps.tariff.get()),
    },
    defineRoute({
      method: 'put',
      path: '/api/v1/tariff',
      access: 'admin',
      body: tariffBody,
      handler: (_req, res, { body }) => res.json(deps.tariff.set(body)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/energy/summary',
      access: 'user',
      query: daysQuery,
      handler: async (_req, res, { query }) => {
        const { startS, endS } = daysOf(query, deps.timeZone);
        const nowS = Math.floor(deps.clock.nowMs() / 1000);
        const principal = authOf(res).principal;
        const household = householdFlows(deps, principal, query.feedId, startS, Math.min(nowS, endS));
        const { feeds, slots } = await household;
        const tariff = deps.tariff.get();
        const days = energyByDay(tariff, slots, (t) => startOfLocalDayS(t, deps.timeZone));
        res.json({
          feedId: feeds.house ?? feeds.import ?? null,
          feeds,
          startS,
          endS,
          currency: tariff.currency,
          ...summariseEnergy(tariff, slots, days.length),
          days,
          halfHours: query.halfHours
            ? slots.map((s) => ({
                startS: s.startS,
                energyKWh: s.houseKWh,
                importKWh: s.importKWh,
                exportKWh: s.exportKWh,
                solarKWh: s.solarKWh,
              }))
            : undefined,
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/energy/compare',
      access: 'user',
      query: z.object({ feedId: feedIdQuery }),
      handler: async (_req, res, { query }) => {
        const nowS = Math.floor(deps.clock.nowMs() / 1000);
        const principal = authOf(res).principal;
        const compare = async (periods: ComparedPeriods) => {
          const [current, previous] = await Promise.all([
            figuresOf(deps, principal, query.feedId, periods.current),
            figuresOf(deps, principal, query.feedId, periods.previous),
          ]);
          const both = current.figures.daysWithData > 0 && previous.figures.daysWithData > 0;
          const json: ComparisonJson = {
            current: current.figures,
            previous: previous.figures,
            change: both ? changeOf(current.figures, previous.figures) : null,
          };
          return { feeds: current.feeds, json };
        };
        const [week, month] = await Promise.all([
          compare(weekPeriods(nowS, deps.timeZone)),
          compare(monthPeriods(nowS, deps.timeZone)),
        ]);
        res.json({
          feedId: week.feeds.house ?? week.feeds.import ?? null,
          feeds: week.feeds,
          currency: deps.tariff.get().currency,
          week: week.json,
          month: month.json,
        } satisfies EnergyComparison);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/energy/today',
      access: 'user',
      query: z.object({ feedId: feedIdQuery }),
      handler: async (_req, res, { query }) =>
        res.json(await energyToday(deps, authOf(res).principal, query.feedId)),
    }),
  ];
}

/**
 * GET /api/v1/energy/today's answer: today so far for the household's feeds as `principal` may read
 * them, or for one feed (also inlined in the app shell: src/api/boot-state.ts).
 */
export async function energyToday(
  deps: EnergyRouteDeps,
  principal: Principal | undefined,
  feedId?: number,
): Promise<EnergyToday & { slots: number }> {
  const nowS = Math.floor(deps.clock.nowMs() / 1000);
  const dayStartS = startOfLocalDayS(nowS, deps.timeZone);
  const { feeds, slots } = await householdFlows(deps, principal, feedId, dayStartS, nowS);
  const tariff = deps.tariff.get();
  const w = wallClock(nowS, deps.timeZone);
  return {
    feedId: feeds.house ?? feeds.import ?? null,
    feeds,
    dayStartS,
    slots: slots.length,
    currency: tariff.currency,
    // The standing charge only once the day has data.
    ...summariseEnergy(tariff, slots, slots.length ? 1 : 0),
    goodTime: goodTimeNow(tariff, w.hour * 60 + w.minute),
  };
}

/** One compared period's figures, from the same summary code as a month's. */
async function figuresOf(
  deps: EnergyRouteDeps,
  principal: Principal | undefined,
  feedId: number | undefined,
  period: { startS: number; endS: number; days: number },
): Promise<{ feeds: Partial<Record<HouseholdRole, number>>; figures: ComparedPeriodJson }> {
  const { feeds, slots } = await householdFlows(deps, principal, feedId, period.startS, period.endS);
  const tariff = deps.tariff.get();
  const days = energyByDay(tariff, slots, (t) => startOfLocalDayS(t, deps.timeZone));
  const f = summariseEnergy(tariff, slots, days.length);
  return {
    feeds,
    figures: {
      ...period,
      daysWithData: days.length,
      energyKWh: f.energyKWh,
      importKWh: f.importKWh,
      importCostMinor: f.energyCostMinor,
    },
  };
}

/**
 * The household's half-hour flows from `startS` to `endS`: with `feedId`, that one feed as the
 * house's use (all of it imported); otherwise the feeds the naming rule picks among those the
 * caller may read.
 */
async function householdFlows(
  deps: EnergyRouteDeps,
  principal: Principal | undefined,
  feedId: number | undefined,
  startS: number,
  endS: number,
): Promise<{ feeds: Partial<Record<HouseholdRole, number>>; slots: FlowSlot[] }> {
  let picked: Partial<Record<HouseholdRole, FeedRecord>>;
  if (feedId === undefined) {
    // Not the gateway's signals (a hydro forecast in W is not the house).
    picked = pickHouseholdFeeds(
      deps.feeds.list().filter((f) => f.tag !== SIGNAL_FEED_TAG && canReadFeed(principal, f)),
    );
  } else {
    const feed = deps.feeds.get(feedId);
    if (!canReadFeed(principal, feed)) throw new UserError('feed not found', 404, 'feed_not_found');
    picked = { house: feed };
  }
  const roles = Object.entries(picked) as [HouseholdRole, FeedRecord][];
  const samples = await Promise.all(
    roles.map(([, feed]) =>
      endS <= startS
        ? []
        : deps.feeds.read(feed.id, { startS, endS, interval: SLOT_S, average: true, skipMissing: false }),
    ),
  );
  return {
    feeds: Object.fromEntries(roles.map(([role, feed]) => [role, feed.id])),
    slots: flowSlots(
      Object.fromEntries(roles.map(([role], i) => [role, samples[i]!])),
      SLOT_S,
      endS,
      deps.timeZone,
    ),
  };
}

/**
 * Whole local days: `date=YYYY-MM-DD`, `month=YYYY-MM` or `year=YYYY` in the hub's timezone, or
 * `start` (any time in the first day) to `end` (exclusive); at most 366 days.
 */
function daysOf(query: DaysQuery, timeZone: string): { startS: number; endS: number } {
  const named = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(query.date ?? query.month ?? query.year ?? '');
  let start = Number(query.start);
  let end = Number(query.end);
  if (named) {
    const [year, month, day] = [Number(named[1]), Number(named[2] ?? 1), Number(named[3] ?? 1)];
    if (month < 1 || month > 12 || day < 1 || day > 31)
      throw new UserError('date must be YYYY-MM-DD, month YYYY-MM, year YYYY', 400, 'invalid_range');
    start = localMidnightS({ year, month, day }, timeZone);
    // The next day, month or year; Date.UTC carries a day or month past its end.
    const next = new Date(Date.UTC(year, month - 1, day));
    if (named[3]) next.setUTCDate(day + 1);
    else if (named[2]) next.setUTCMonth(month);
    else next.setUTCFullYear(year + 1);
    const n = { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
    end = localMidnightS(n, timeZone);
  } else if (query.date ?? query.month ?? query.year) {
    throw new UserError('date must be YYYY-MM-DD, month YYYY-MM, year YYYY', 400, 'invalid_range');
  }
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start)
    throw new UserError('start and end must be unix seconds, start before end', 400, 'invalid_range');
  if (end - start > 366 * 86_400) throw new UserError('at most 366 days at a time', 400, 'invalid_range');
  return { startS: startOfLocalDayS(start, timeZone), endS: end };
}
