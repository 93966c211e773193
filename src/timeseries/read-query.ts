import { calendarBoundaries, CALENDAR_UNITS, type CalendarUnit } from './calendar.js';
import type { SumCount } from './rollup-format.js';

/** A feed as reads see it (files and write-behind buffer merged), in absolute slots (ts / interval). */
export interface SeriesView {
  intervalS: number;
  /** First and one-past-last absolute slot holding data; equal when the feed is empty. */
  startSlot: number;
  endSlot: number;
  sum(fromSlot: number, toSlot: number): SumCount;
  valueAt(slot: number): number;
}

export type ReadInterval = number | CalendarUnit;

export interface ReadQuery {
  startS: number;
  endS: number;
  interval: ReadInterval;
  average: boolean;
  skipMissing: boolean;
  timeZone: string;
  /** emoncms's limitinterval: raise to the feed interval and round to a multiple of it. */
  limitInterval?: boolean;
  /** Turn a cumulative feed into the change over each interval. */
  delta?: boolean;
}

export type Sample = [timeS: number, value: number | null];

export class ReadError extends Error {
  override name = 'ReadError';
}

export const MAX_DATAPOINTS = 20_000;

export function isCalendarUnit(value: unknown): value is CalendarUnit {
  return (CALENDAR_UNITS as readonly unknown[]).includes(value);
}

/**
 * emoncms's get_data_combined (reference/emoncms.md §1.2–1.3): buckets from start while
 * time <= end; averaged buckets take the mean of the non-missing slots in
 * [floor(ds/iv), floor(de/iv)); sampled buckets take the slot at their start.
 */
export function readSeries(view: SeriesView, query: ReadQuery): Sample[] {
  const { startS } = query;
  let { endS } = query;
  if (endS <= startS) throw new ReadError('request end time before start time');
  const iv = view.intervalS;
  let average = query.average;
  let boundaries: number[];
  if (isCalendarUnit(query.interval)) {
    if (query.delta) endS = nextCalendarBoundary(endS, query.interval, query.timeZone);
    boundaries = calendarBoundaries(startS, endS, query.interval, query.timeZone);
  } else {
    let interval = Math.max(1, Math.trunc(query.interval));
    if (query.limitInterval !== false) interval = Math.max(iv, Math.round(interval / iv) * iv);
    if (interval <= iv) average = false;
    if (Math.round((endS - startS) / interval) > MAX_DATAPOINTS) {
      throw new ReadError(
        `request datapoint limit reached (${MAX_DATAPOINTS}), increase request interval or reduce time range, requested datapoints = ${Math.round((endS - startS) / interval)}`,
      );
    }
    if (query.delta) endS = Math.floor(endS / interval) * interval + interval; // one more to subtract from
    boundaries = [];
    for (let t = startS; t <= endS; t += interval) boundaries.push(t);
    boundaries.push(boundaries[boundaries.length - 1]! + interval);
  }

  const out: Sample[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const divStart = boundaries[i]!;
    const value = average ? mean(view, divStart, boundaries[i + 1]!) : sample(view, divStart);
    out.push([divStart, value]);
  }
  const result = query.delta ? deltas(out) : out;
  return query.skipMissing ? result.filter(([, v]) => v !== null) : result;
}

function mean(view: SeriesView, divStartS: number, divEndS: number): number | null {
  const from = Math.max(view.startSlot, Math.floor(divStartS / view.intervalS));
  const to = Math.min(view.endSlot, Math.floor(divEndS / view.intervalS));
  if (to <= from) return null;
  const s = view.sum(from, to);
  return s.count ? s.sum / s.count : null;
}

function sample(view: SeriesView, divStartS: number): number | null {
  const slot = Math.floor(divStartS / view.intervalS);
  if (slot < view.startSlot || slot >= view.endSlot) return null;
  const value = view.valueAt(slot);
  return value === value ? value : null;
}

/** data[i] = data[i+1] - data[i]; the last point is dropped. */
function deltas(samples: Sample[]): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i + 1 < samples.length; i++) {
    const [t, a] = samples[i]!;
    const b = samples[i + 1]![1];
    out.push([t, a === null || b === null ? null : b - a]);
  }
  return out;
}

function nextCalendarBoundary(tsS: number, unit: CalendarUnit, timeZone: string): number {
  const bounds = calendarBoundaries(tsS, tsS, unit, timeZone);
  return bounds.find((b) => b >= tsS) ?? tsS;
}
