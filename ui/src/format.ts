// Numbers, money, dates and times in the chosen language and the hub's timezone (Intl).

export type Locale = 'en' | 'cy';

/**
 * The Intl locales for a language: a browser without Welsh data (Debian's Chromium) falls back to
 * British English (`26 Nov`, 24-hour), never to its own default (US order, 12-hour).
 */
export const tag = (locale: Locale): string[] => (locale === 'cy' ? ['cy-GB', 'en-GB'] : ['en-GB']);

/** Numbers and times in the chosen language and the hub's timezone. */
export function formatNumber(locale: Locale, value: number, digits = 0): string {
  return new Intl.NumberFormat(tag(locale), { maximumFractionDigits: digits }).format(value);
}

/** Minor units (pence, cents) as money in the chosen language. */
export function formatMoney(locale: Locale, minor: number, currency: string): string {
  return new Intl.NumberFormat(tag(locale), { style: 'currency', currency }).format(minor / 100);
}

let hubTimeZone: string | undefined;

/** The hub's timezone (from /api/v1/hub): times are shown as the household's clock reads them. */
export function setHubTimeZone(timeZone: string): void {
  hubTimeZone = timeZone;
}

export function formatTime(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    timeStyle: 'medium',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

/** Hours and minutes on a 24-hour clock (`18:30`), in the hub's timezone. */
export function formatHourMinute(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

/** A short date (`26 Nov`; `26 Tach` in Welsh), in the hub's timezone. */
export function formatDayMonth(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    day: 'numeric',
    month: 'short',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

/** A share (0–1) as a whole percentage in the chosen language; a dash when there is none. */
export function formatPercent(locale: Locale, share: number | null): string {
  return share === null
    ? '–'
    : new Intl.NumberFormat(tag(locale), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/**
 * Tick labels for a time axis (uPlot's `values`): 24-hour times for ticks under a day apart, else
 * `26 Nov`, else month and year; never the browser's default US format.
 */
export function timeAxisValues(locale: Locale) {
  return (_u: unknown, splits: number[], _axis: number, _space: number, incrS: number): string[] =>
    splits.map((s) =>
      incrS < 86_400
        ? formatHourMinute(locale, s)
        : incrS < 28 * 86_400
          ? formatDayMonth(locale, s)
          : new Intl.DateTimeFormat(tag(locale), {
              month: 'short',
              year: 'numeric',
              timeZone: hubTimeZone,
            }).format(s * 1000),
    );
}

/** Today's date on the hub's calendar (month 1–12). */
export function hubToday(nowMs = Date.now()): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    timeZone: hubTimeZone,
  }).formatToParts(nowMs);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

export function formatDate(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    dateStyle: 'medium',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

/** The day of the month of an instant on the hub's calendar. */
export function dayOfMonth(timeS: number): number {
  return Number(
    new Intl.DateTimeFormat('en-GB', { day: 'numeric', timeZone: hubTimeZone }).format(timeS * 1000),
  );
}

export function currentHubTimeZone(): string | undefined {
  return hubTimeZone;
}

/** Month and year ("March 2025") of an instant on the hub's calendar. */
export function formatMonthYear(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    month: 'long',
    year: 'numeric',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}
