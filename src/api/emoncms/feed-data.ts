import { UserError } from '../../shared/errors.js';
import { canReadFeed } from '../../timeseries/feed-access.js';
import { samplesToCsv } from '../../timeseries/csv-export.js';
import type { FeedRecord } from '../../timeseries/ports.js';
import { isCalendarUnit, MAX_DATAPOINTS, type Sample } from '../../timeseries/read-query.js';
import type { CalendarUnit } from '../../timeseries/calendar.js';
import { EmoncmsReply, TEXT_PLAIN, type EmoncmsCall } from './emoncms-route.js';
import type { EmoncmsFeeds, EmoncmsTimeValue } from './feed-view.js';
import { isTimeZone } from '../../shared/zoned-time.js';
import { convertTime, deltaEndS, formatExcel, formatIso8601 } from './php-time.js';
import { phpIndexedArray, phpInt, phpNumeric, phpRound, phpTruthy } from './php-values.js';

const TIME_FORMATS = ['unix', 'unixms', 'excel', 'iso8601', 'notime'] as const;
type TimeFormat = (typeof TIME_FORMATS)[number];

const failure = (message: string) => ({ success: false, message });

interface DataRequest {
  start: string;
  end: string;
  interval: string;
  average: boolean;
  delta: boolean;
  timeZone: string;
  timeFormat: string;
  csv: boolean;
  skipMissing: boolean;
  limitInterval: boolean;
  dp: string;
}

/**
 * feed/data.json, feed/average.json and feed/csvexport.json as feed_controller.php answers them
 * (facts: /tmp/facts/emoncms-feed-api.md, "feed/data.json").
 */
export async function feedDataAction(
  view: EmoncmsFeeds,
  call: EmoncmsCall,
  action: 'data' | 'average' | 'csvexport',
): Promise<unknown> {
  let singular = false;
  let ids: string[] = [];
  if (call.rawGet('id') !== undefined) {
    ids = (call.get('id') ?? '').split(',');
    singular = true;
  } else if (call.rawGet('ids') !== undefined) {
    ids = (call.get('ids') ?? '').split(',');
  }
  const start = call.get('start');
  if (start === undefined) return missingParameter('start');
  const end = call.get('end');
  if (end === undefined) return missingParameter('end');
  const timeZone = call.get('timezone') || view.deps.timeZone;
  let csv = action === 'csvexport' || phpTruthy(call.get('csv'));
  const averages = call.rawGet('average') !== undefined ? (call.get('average') ?? '').split(',') : [];
  const deltas = call.rawGet('delta') !== undefined ? (call.get('delta') ?? '').split(',') : [];
  let average = action === 'average' ? '1' : '0';
  const multiCsv = csv && ids.length > 1;
  if (multiCsv) csv = false;
  if (!ids.length) return failure('no ids given');

  const base = {
    start,
    end,
    interval: call.rawGet('mode') ?? call.get('interval') ?? '0',
    timeZone,
    timeFormat: call.get('timeformat') ?? 'unixms',
    csv,
    skipMissing: phpInt(call.get('skipmissing')) !== 0,
    limitInterval: phpInt(call.get('limitinterval')) !== 0,
    dp: call.get('dp') ?? '-1',
  };
  const results = new Map<number, { feedid: string; data: unknown }>();
  const missing: number[] = [];
  for (const [index, rawId] of ids.entries()) {
    const id = phpInt(rawId);
    if (!view.feeds.exists(id)) {
      missing.push(id);
      continue;
    }
    const feed = view.feeds.get(id);
    if (!canReadFeed(call.principal, feed)) continue; // emoncms leaves it out silently
    if (phpTruthy(averages[index])) average = averages[index]!;
    const delta = deltas[index] ?? deltas[0] ?? '0';
    if (call.rawGet('split') !== undefined) {
      results.set(index, { feedid: rawId, data: failure('split is not supported by this hub') });
      continue;
    }
    const req: DataRequest = { ...base, average: phpTruthy(average), delta: phpTruthy(delta) };
    const data = await readData(view, feed, req).catch((err: unknown) => {
      // FeedService's own refusals land in this feed's data, as get_data's errors do in emoncms.
      if (err instanceof UserError) return failure(err.message);
      throw err;
    });
    if (data instanceof EmoncmsReply) return data; // a CSV download ends the request, as in emoncms
    results.set(index, { feedid: rawId, data });
  }
  if (missing.length === 1)
    return { success: false, message: `feed ${missing[0]} does not exist`, feeds: missing };
  if (missing.length)
    return { success: false, message: `${missing.length} feeds do not exist`, feeds: missing };
  if (singular && results.size === 1) return [...results.values()][0]!.data;
  if (multiCsv) return csvMulti(ids, results);
  return phpIndexedArray(results);
}

/** emoncms's `get(name, true)`: a missing parameter ends the request with a plain-text line. */
const missingParameter = (name: string) => new EmoncmsReply(`missing ${name} parameter`, TEXT_PLAIN);

/** feed_model::get_data for one feed, then the engine read through FeedService. */
async function readData(view: EmoncmsFeeds, feed: FeedRecord, q: DataRequest): Promise<unknown> {
  if (!isTimeZone(q.timeZone)) return failure('Invalid timezone');
  const nowS = view.nowS();
  const startS = convertTime(q.start, nowS, q.timeZone);
  if (startS === undefined) return failure('Invalid start time');
  let endS = convertTime(q.end, nowS, q.timeZone);
  if (endS === undefined) return failure('Invalid end time');
  if (endS <= startS) return failure('Request end time before start time');

  let interval: number | CalendarUnit;
  const numeric = phpNumeric(q.interval);
  if (numeric !== undefined) interval = numeric < 1 ? phpRound((endS - startS) / 800) : numeric;
  else if (isCalendarUnit(q.interval)) interval = q.interval;
  else if (q.interval === 'original') interval = feed.intervalS;
  else return failure('Invalid interval');

  if (q.delta && !q.csv) endS = deltaEndS(endS, interval, q.timeZone);
  if (!q.csv && typeof interval === 'number') {
    if (interval < 1) return failure('Invalid interval');
    const requested = phpRound((endS - startS) / interval);
    if (requested > MAX_DATAPOINTS)
      return failure(
        `request datapoint limit reached (${MAX_DATAPOINTS}), increase request interval or reduce time range, requested datapoints = ${requested}`,
      );
  }
  if (!(TIME_FORMATS as readonly string[]).includes(q.timeFormat)) return failure('Invalid time format');
  const timeFormat = q.timeFormat as TimeFormat;

  let samples = await view.feeds.read(feed.id, {
    startS: Math.trunc(startS),
    endS: Math.trunc(endS),
    interval,
    average: q.average,
    skipMissing: q.skipMissing,
    limitInterval: q.limitInterval,
    timeZone: q.timeZone,
  });
  if (q.csv) return csvDownload(String(feed.id), samples, timeFormat, q.timeZone);
  if (q.delta) samples = deltaConvert(samples, await view.timeValue(feed));
  const dp = phpNumeric(q.dp) === -1 ? undefined : phpInt(q.dp);
  if (dp !== undefined) samples = samples.map(([t, v]) => [t, v === null ? null : phpRound(v, dp)]);
  return formatTimes(samples, timeFormat, q.timeZone);
}

/**
 * feed_model::delta_mode_convert: data[i] = data[i+1] - data[i]; a missing data[i+1] is the
 * feed's last value when it arrived within (t_i, t_i+1]; the last bucket is dropped.
 */
function deltaConvert(samples: Sample[], last: EmoncmsTimeValue): Sample[] {
  const data = samples.map(([t, v]): Sample => [t, v]);
  for (let i = 0; i + 1 < data.length; i++) {
    const here = data[i]!;
    const next = data[i + 1]!;
    if (next[1] === null && last.time !== null && last.time > here[0] && last.time <= next[0])
      next[1] = last.value;
    here[1] = here[1] === null || next[1] === null ? null : next[1] - here[1];
  }
  data.pop();
  return data;
}

function formatTimes(samples: Sample[], format: TimeFormat, timeZone: string): unknown[] {
  switch (format) {
    case 'unix':
      return samples;
    case 'unixms':
      return samples.map(([t, v]) => [t * 1000, v]);
    case 'excel':
      return samples.map(([t, v]) => [formatExcel(t, timeZone), v]);
    case 'iso8601':
      return samples.map(([t, v]) => [formatIso8601(t, timeZone), v]);
    case 'notime':
      return samples.map(([, v]) => v);
  }
}

const DOWNLOAD_HEADERS = {
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  'Content-Description': 'File Transfer',
  Expires: '0',
  Pragma: 'no-cache',
};

/** A download as emoncms streams it: octet-stream, attachment `<name>`, no caching. */
export function download(body: string | Uint8Array, filename: string): EmoncmsReply {
  return new EmoncmsReply(body, 'application/octet-stream', 200, {
    ...DOWNLOAD_HEADERS,
    'Content-Disposition': `attachment; filename=${filename}`,
  });
}

/** SharedHelper CSV: excel and iso8601 times formatted, every other format in unix seconds. */
function csvDownload(id: string, samples: Sample[], format: TimeFormat, timeZone: string): EmoncmsReply {
  const csvFormat = format === 'excel' || format === 'iso8601' ? format : 'unix';
  return download(samplesToCsv(samples, csvFormat, timeZone), `${id}.csv`);
}

/**
 * feed_model::csv_export_multi: one line per time of the first feed, `time,v1,v2,…`, the time as
 * get_data formatted it (unix ms by default), values with 2 decimals or `null`.
 */
function csvMulti(ids: string[], results: Map<number, { feedid: string; data: unknown }>): unknown {
  const columns = [...results.values()].map((r) => r.data);
  const first = columns[0];
  if (first !== undefined && !Array.isArray(first)) return (first as { message?: unknown }).message;
  const rows = (first ?? []) as unknown[];
  const lines = rows.map((row, i) => {
    const time = Array.isArray(row) ? row[0] : '';
    const values = columns.map((col) => {
      const point = (col as unknown[])[i];
      const v = Array.isArray(point) ? point[1] : point;
      return typeof v === 'number' ? v.toFixed(2) : 'null';
    });
    return `${String(time)},${values.join(',')}\n`;
  });
  return download(lines.join(''), `${ids.join('-')}.csv`);
}
