// Times as emoncms's feed model reads and prints them (facts: /tmp/facts/emoncms-feed-api.md,
// "feed/data"): start/end as seconds, milliseconds or PHP date strings in a timezone; excel and
// iso8601 output; the delta mode's "next interval" end. Pure.

import type { CalendarUnit } from '../../timeseries/calendar.js';
import { wallClock, wallSeconds, zoneOffsetS as offsetS, type WallClock } from '../../shared/zoned-time.js';
import { phpNumeric } from './php-values.js';

/** The instant of a wall-clock time; a time in a DST gap moves forward by the gap, as PHP does. */
function instantOf(wall: WallClock, timeZone: string): number {
  const wallS = wallSeconds(wall);
  const first = offsetS(wallS, timeZone);
  const second = offsetS(wallS - first, timeZone);
  if (first === second) return wallS - first;
  const t = wallS - second;
  return offsetS(t, timeZone) === second ? t : wallS - Math.min(first, second);
}

const UNIT_SECONDS: Record<string, number> = { sec: 1, second: 1, min: 60, minute: 60, hour: 3600 };
const UNIT_DAYS: Record<string, number> = { day: 1, week: 7, fortnight: 14 };
const UNIT_MONTHS: Record<string, number> = { month: 1, year: 12 };

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A PHP date string evaluated like `DateTime::modify` from `nowS` in `timeZone`: now, today,
 * midnight, noon, yesterday, tomorrow, ISO dates and date-times (with an optional offset), and
 * relative offsets such as "-1 week", "+2 days", "3 hours ago", "last month". Undefined when the
 * string is outside that subset.
 */
export function parseDateString(text: string, nowS: number, timeZone: string): number | undefined {
  let s = text.trim().toLowerCase();
  let wall = wallClock(nowS, timeZone);
  let fixedOffsetS: number | undefined;
  const absolute = DATE_TIME.exec(s);
  if (absolute) {
    const [, y, mo, d, h, mi, sec, zone] = absolute;
    wall = { year: +y!, month: +mo!, day: +d!, hour: +(h ?? 0), minute: +(mi ?? 0), second: +(sec ?? 0) };
    if (zone) fixedOffsetS = zone === 'z' ? 0 : zoneOffsetS(zone);
    s = '';
  }
  let months = 0;
  let days = 0;
  let seconds = 0;
  const words = /^(now|today|midnight|noon|yesterday|tomorrow)\b\s*/;
  const relative =
    /^(?:([+-]?\s*\d+)|(next|last|previous|this))\s*(sec|second|min|minute|hour|day|week|fortnight|month|year)s?\b(\s+ago\b)?\s*/;
  while (s) {
    const word = words.exec(s);
    if (word) {
      const w = word[1]!;
      if (w !== 'now') wall = { ...wall, hour: w === 'noon' ? 12 : 0, minute: 0, second: 0 };
      if (w === 'yesterday') days -= 1;
      if (w === 'tomorrow') days += 1;
      s = s.slice(word[0].length);
      continue;
    }
    const rel = relative.exec(s);
    if (!rel) return undefined;
    const signWord = rel[2];
    let n = rel[1] !== undefined ? Number(rel[1].replace(/\s+/g, '')) : signWord === 'next' ? 1 : 0;
    if (signWord === 'last' || signWord === 'previous') n = -1;
    if (rel[4]) n = -n;
    const unit = rel[3]!;
    if (unit in UNIT_SECONDS) seconds += n * UNIT_SECONDS[unit]!;
    else if (unit in UNIT_DAYS) days += n * UNIT_DAYS[unit]!;
    else months += n * UNIT_MONTHS[unit]!;
    s = s.slice(rel[0].length);
  }
  if (fixedOffsetS !== undefined && !months && !days) return wallSeconds(wall) - fixedOffsetS + seconds;
  const moved = new Date(
    Date.UTC(wall.year, wall.month - 1 + months, wall.day + days, wall.hour, wall.minute, wall.second),
  );
  const target: WallClock = {
    year: moved.getUTCFullYear(),
    month: moved.getUTCMonth() + 1,
    day: moved.getUTCDate(),
    hour: moved.getUTCHours(),
    minute: moved.getUTCMinutes(),
    second: moved.getUTCSeconds(),
  };
  const base = fixedOffsetS !== undefined ? wallSeconds(target) - fixedOffsetS : instantOf(target, timeZone);
  return base + seconds;
}

function zoneOffsetS(zone: string): number {
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60);
}

/**
 * emoncms's convert_time: a number is seconds, or milliseconds when value / 1e9 > 100 (then
 * ×0.001); anything else is a date string in the timezone. Undefined for an unknown string.
 */
export function convertTime(raw: string, nowS: number, timeZone: string): number | undefined {
  const numeric = phpNumeric(raw);
  const time = numeric ?? (raw.trim() === '' ? nowS : parseDateString(raw, nowS, timeZone));
  if (time === undefined) return undefined;
  return time / 1e9 > 100 ? time * 0.001 : time;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** PHP date("d/m/Y H:i:s") in the timezone (emoncms's "excel" time format). */
export function formatExcel(tsS: number, timeZone: string): string {
  const w = wallClock(tsS, timeZone);
  return `${pad(w.day)}/${pad(w.month)}/${w.year} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** PHP date("c") in the timezone, e.g. 2026-03-29T03:00:00+02:00. */
export function formatIso8601(tsS: number, timeZone: string): string {
  const w = wallClock(tsS, timeZone);
  const offset = offsetS(tsS, timeZone);
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}`;
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${zone}`;
}

/**
 * The end of a delta-mode read (feed_model::delta_mode_next_interval): for calendar intervals
 * "tomorrow midnight" after `endS`, then the next Monday after that day, the first of the next
 * month or of next January; for seconds, the next multiple of the interval.
 */
export function deltaEndS(endS: number, interval: number | CalendarUnit, timeZone: string): number {
  if (typeof interval === 'number') return Math.floor(endS / interval) * interval + interval;
  const w = wallClock(endS, timeZone);
  const day = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  if (interval === 'weekly') {
    const weekday = day.getUTCDay(); // 0 = Sunday; "next monday" is strictly after the day
    day.setUTCDate(day.getUTCDate() + ((8 - weekday) % 7 || 7));
  } else if (interval === 'monthly') {
    day.setUTCMonth(day.getUTCMonth() + 1, 1);
  } else if (interval === 'annual') {
    day.setUTCFullYear(day.getUTCFullYear() + 1, 0, 1);
  }
  const midnight: WallClock = {
    year: day.getUTCFullYear(),
    month: day.getUTCMonth() + 1,
    day: day.getUTCDate(),
    hour: 0,
    minute: 0,
    second: 0,
  };
  return instantOf(midnight, timeZone);
}
