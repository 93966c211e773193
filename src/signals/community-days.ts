// The Community page's past days (issue 14 item 10): per local day in the hub's zone (23, 24 or 25
// hours), the river's generation, the community's use and the household's use in kWh, the
// household's share of the community's use, and how much of the household's use fell in hours the
// "good time" light called good. A figure that cannot be known is null with the reason, never 0.
// Pure: slots in, rows out.

import { wallClock } from '../shared/zoned-time.js';
import { localMidnightS } from '../timeseries/calendar.js';
import type { Optimise } from './signal.js';

export interface LocalDay {
  startS: number;
  endS: number;
}

/** Why a figure is null. */
export type CommunityWhy =
  /** The hub keeps no such feed (no profile received yet, no household feed, no target feed). */
  | 'no-feed'
  /** The signal's unit is not a power (kW, W, MW), so it gives no kWh. */
  | 'not-power'
  /** Not one slot of the day has a value. */
  | 'no-data'
  /** The share: the community's use is not known that day. */
  | 'no-community'
  /** The share: the household's use is not known that day. */
  | 'no-household'
  /** The share: the community used nothing in the hours both are known. */
  | 'community-zero'
  /** Good-hours use: the target mixes signals; only a one-signal target is judged. */
  | 'mixed-target'
  /** Good-hours use: the household used nothing in the hours judged. */
  | 'no-use';

export type CommunityFigure = 'hydro' | 'community' | 'household' | 'share' | 'goodUse';

/** One half hour (or shorter: the one running now). Null: no value for that slot. */
export interface CommunitySlot {
  startS: number;
  hydroKWh: number | null;
  communityKWh: number | null;
  householdKWh: number | null;
  /** Whether the light's rule called this slot good; null when it could not judge it. */
  good: boolean | null;
  /** Seconds of the slot that count (less than the slot for the one running now). */
  seconds: number;
}

/** A day's sums: each figure over the slots where it is known, and for how long. */
export interface CommunityDaySums {
  hydroKWh: number;
  hydroS: number;
  communityKWh: number;
  communityS: number;
  householdKWh: number;
  householdS: number;
  /** Over the slots where both the household's and the community's use are known. */
  both: { householdKWh: number; communityKWh: number; seconds: number };
  /** The household's use in judged slots, and of that in good ones. */
  judged: { householdKWh: number; goodKWh: number; seconds: number };
}

export interface CommunityDay {
  startS: number;
  endS: number;
  /** The day's length in hours: 23 or 25 on a day the clocks change. */
  hours: number;
  /** Figures run to here: the day's end, or now for today. */
  untilS: number;
  hydroKWh: number | null;
  /** Hours of the day the figure covers (a day with a gap covers fewer than `hours`). */
  hydroHours: number;
  communityKWh: number | null;
  communityHours: number;
  householdKWh: number | null;
  householdHours: number;
  /** Household ÷ community × 100 over the hours both are known. */
  householdSharePct: number | null;
  /** Of the household's use in the hours the light judged, the part in good hours × 100. */
  goodUsePct: number | null;
  why: Partial<Record<CommunityFigure, CommunityWhy>>;
}

/** What holds for every day: a series the hub cannot read at all gives that reason on each day. */
export interface CommunityUnavailable {
  hydro?: CommunityWhy;
  community?: CommunityWhy;
  household?: CommunityWhy;
  goodUse?: CommunityWhy;
}

/** The last `count` local days, oldest first, the one holding `nowS` last. */
export function lastLocalDays(nowS: number, count: number, timeZone: string): LocalDay[] {
  const w = wallClock(nowS, timeZone);
  return Array.from({ length: count }, (_, i) => {
    const back = count - 1 - i;
    // Date.UTC carries a day past a month's start or end.
    const date = (offset: number) => {
      const d = new Date(Date.UTC(w.year, w.month - 1, w.day - offset));
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    };
    return { startS: localMidnightS(date(back), timeZone), endS: localMidnightS(date(back - 1), timeZone) };
  });
}

/** Sums the slots that start inside the day. */
export function sumCommunityDay(day: LocalDay, slots: readonly CommunitySlot[]): CommunityDaySums {
  const sums: CommunityDaySums = {
    hydroKWh: 0,
    hydroS: 0,
    communityKWh: 0,
    communityS: 0,
    householdKWh: 0,
    householdS: 0,
    both: { householdKWh: 0, communityKWh: 0, seconds: 0 },
    judged: { householdKWh: 0, goodKWh: 0, seconds: 0 },
  };
  for (const s of slots) {
    if (s.startS < day.startS || s.startS >= day.endS) continue;
    if (s.hydroKWh !== null) {
      sums.hydroKWh += s.hydroKWh;
      sums.hydroS += s.seconds;
    }
    if (s.communityKWh !== null) {
      sums.communityKWh += s.communityKWh;
      sums.communityS += s.seconds;
    }
    if (s.householdKWh === null) continue;
    sums.householdKWh += s.householdKWh;
    sums.householdS += s.seconds;
    if (s.communityKWh !== null) {
      sums.both.householdKWh += s.householdKWh;
      sums.both.communityKWh += s.communityKWh;
      sums.both.seconds += s.seconds;
    }
    if (s.good !== null) {
      sums.judged.householdKWh += s.householdKWh;
      if (s.good) sums.judged.goodKWh += s.householdKWh;
      sums.judged.seconds += s.seconds;
    }
  }
  return sums;
}

const hoursOf = (seconds: number) => seconds / 3600;

/** One day's row from its sums; `unavailable` says which series the hub cannot read at all. */
export function communityDay(
  day: LocalDay,
  untilS: number,
  sums: CommunityDaySums,
  unavailable: CommunityUnavailable = {},
): CommunityDay {
  const why: CommunityDay['why'] = {};
  const figure = (name: 'hydro' | 'community' | 'household', kWh: number, seconds: number) => {
    const reason = unavailable[name] ?? (seconds > 0 ? undefined : 'no-data');
    if (reason) why[name] = reason;
    return reason ? null : kWh;
  };
  const hydroKWh = figure('hydro', sums.hydroKWh, sums.hydroS);
  const communityKWh = figure('community', sums.communityKWh, sums.communityS);
  const householdKWh = figure('household', sums.householdKWh, sums.householdS);

  let householdSharePct: number | null = null;
  if (communityKWh === null) why.share = 'no-community';
  else if (householdKWh === null) why.share = 'no-household';
  else if (sums.both.seconds === 0) why.share = 'no-data';
  else if (sums.both.communityKWh <= 0) why.share = 'community-zero';
  else householdSharePct = (sums.both.householdKWh / sums.both.communityKWh) * 100;

  let goodUsePct: number | null = null;
  if (unavailable.goodUse) why.goodUse = unavailable.goodUse;
  else if (householdKWh === null) why.goodUse = 'no-household';
  else if (sums.judged.seconds === 0) why.goodUse = 'no-data';
  else if (sums.judged.householdKWh <= 0) why.goodUse = 'no-use';
  else goodUsePct = (sums.judged.goodKWh / sums.judged.householdKWh) * 100;

  return {
    startS: day.startS,
    endS: day.endS,
    hours: hoursOf(day.endS - day.startS),
    untilS,
    hydroKWh,
    hydroHours: hoursOf(sums.hydroS),
    communityKWh,
    communityHours: hoursOf(sums.communityS),
    householdKWh,
    householdHours: hoursOf(sums.householdS),
    householdSharePct,
    goodUsePct,
    why,
  };
}

/** The rows of the given days (oldest first), each summed up to `nowS` at most. */
export function communityDays(
  days: readonly LocalDay[],
  slots: readonly CommunitySlot[],
  nowS: number,
  unavailable: CommunityUnavailable = {},
): CommunityDay[] {
  return days.map((day) =>
    communityDay(day, Math.min(day.endS, nowS), sumCommunityDay(day, slots), unavailable),
  );
}

/** kWh per hour at a power unit's value: kW 1, W 1/1000, MW 1000; null for anything else. */
export function kWhPerHourOf(unit: string): number | null {
  const factors: Record<string, number> = { kw: 1, w: 0.001, mw: 1000 };
  return factors[unit.trim().toLowerCase()] ?? null;
}

/**
 * The "good time" light's rule (the Community page's: best third of the next 24 h) applied to kept
 * values: slot `i` is good when its value is among the best third of the values from it for
 * `windowSlots` (nulls skipped; ties with the third's last count as good). Null when `i` has none.
 */
export function goodAt(
  values: readonly (number | null)[],
  i: number,
  windowSlots: number,
  optimise: Optimise,
): boolean | null {
  const own = values[i];
  if (own === null || own === undefined) return null;
  const badness = (v: number) => (optimise === 'min' ? v : -v);
  const ranked = values
    .slice(i, i + windowSlots)
    .filter((v): v is number => v !== null)
    .map(badness)
    .sort((a, b) => a - b);
  return badness(own) <= ranked[Math.ceil(ranked.length / 3) - 1]!;
}
