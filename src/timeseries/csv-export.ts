import type { Sample } from './read-query.js';

export type CsvTimeFormat = 'unix' | 'excel' | 'iso8601';

/**
 * emoncms's CSV (SharedHelper): no header; "time,value" lines; values with `decimals` places
 * (default 2); a missing value is the word null; excel time is d/m/Y H:i:s in the timezone.
 */
export function samplesToCsv(
  samples: readonly Sample[],
  format: CsvTimeFormat,
  timeZone: string,
  decimals = 2,
): string {
  const fmt = format === 'unix' ? undefined : timeFormatter(timeZone);
  return samples
    .map(
      ([tsS, value]) =>
        `${formatTime(tsS, format, fmt)},${value === null ? 'null' : value.toFixed(decimals)}\n`,
    )
    .join('');
}

function timeFormatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  });
}

function formatTime(tsS: number, format: CsvTimeFormat, fmt: Intl.DateTimeFormat | undefined): string {
  if (format === 'unix' || !fmt) return String(tsS);
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(new Date(tsS * 1000))) p[part.type] = part.value;
  if (format === 'excel') return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
  const offset = (p.timeZoneName ?? 'GMT').replace('GMT', '') || '+00:00';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}
