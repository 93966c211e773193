// What vzlogger sends to volkszaehler, and volkszaehler's answers (volkszaehler/volkszaehler.org
// lib/Server/MiddlewareAdapter.php, lib/Controller/DataController.php, lib/View/JSON.php), as pure code.

import { numericValue, parseIsoSeconds, shown } from './input-names.js';
import { parsed, refused, type Parsed } from './readings.js';

export interface VzTuple {
  tsMs: number;
  value: number;
}

export interface VzChannelTuples {
  uuid: string;
  tuples: VzTuple[];
}

/** volkszaehler's `VZ_VERSION` (lib/bootstrap.php), in every JSON answer. */
export const VZ_VERSION = '0.3';

export interface VzException {
  version: typeof VZ_VERSION;
  exception: { message: string; type: string; code: number };
}

/** volkszaehler's error body: `{"version":"0.3","exception":{"message","type","code"}}` (type = PHP class). */
export const vzError = (message: string, type = 'Exception', code = 0): VzException => ({
  version: VZ_VERSION,
  exception: { message, type, code },
});

/**
 * How both of vzlogger's outputs (push port and middleware) answer an upload the hub refused, an
 * unknown UUID above all: 400 and volkszaehler's exception body (as lib/View/View.php answers any
 * exception); 503 with that body when the write-behind buffer is full, so that the middleware
 * sender keeps its values and sends them again (vzlogger src/api/Volkszaehler.cpp clears its
 * buffer only on 200). Undefined when it was stored.
 */
export function vzRefusal(outcome: {
  refused: number;
  refusal?: string;
  unknownUuid?: string;
  bufferFull?: true;
}): { status: 400 | 503; body: VzException; reason: string; bufferFull: boolean } | undefined {
  if (outcome.unknownUuid === undefined && !outcome.refused) return undefined;
  const reason = outcome.refusal ?? 'refused';
  const bufferFull = outcome.bufferFull === true;
  return { status: bufferFull ? 503 : 400, body: vzError(reason), reason, bufferFull };
}

/** The answer to `POST /data/<uuid>.json`: how many rows were inserted. */
export const vzRows = (n: number): { version: typeof VZ_VERSION; rows: number } => ({
  version: VZ_VERSION,
  rows: n,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A channel UUID as volkszaehler validates it: 8-4-4-4-12 hex digits, any case. */
export const isVzUuid = (text: string): boolean => UUID.test(text);

// vzlogger drops readings stamped before 1990 (src/threads.cpp); earlier ones are seconds sent as ms.
const EARLIEST_MS = Date.UTC(1990, 0, 1);

/**
 * The push-server body (`{"data":[{"uuid":…,"tuples":[[ts_ms, value(, count)],…]},…]}`); the
 * optional third element (a row count) is dropped. The push-server answers any malformed body with
 * HTTP 400 and body `1`; the reason given here is for the log.
 */
export function parseVzPush(body: unknown): Parsed<VzChannelTuples[]> {
  const data = isObject(body) ? body.data : undefined;
  if (!Array.isArray(data)) return refused('body must be {"data":[{"uuid":…,"tuples":[[ts_ms,value],…]},…]}');
  const channels: VzChannelTuples[] = [];
  for (const channel of data as unknown[]) {
    const uuid = isObject(channel) ? channel.uuid : undefined;
    if (typeof uuid !== 'string' || !isVzUuid(uuid)) return refused(`Invalid UUID: ${shown(uuid)}`);
    const rawTuples = (channel as { tuples?: unknown }).tuples;
    if (!Array.isArray(rawTuples) || rawTuples.length === 0)
      return refused(`channel ${uuid}: tuples must be a non-empty array`);
    const tuples = parseTuples(rawTuples, 3);
    if (!tuples.ok) return refused(`channel ${uuid}: ${tuples.error}`);
    channels.push({ uuid, tuples: tuples.value });
  }
  return parsed(channels);
}

/**
 * `POST /data/<uuid>.json`: a JSON array of `[ts_ms, value]` tuples for one channel. Without a body
 * volkszaehler falls back to `?ts=&value=` (ts: ms digits or a date, default now; value default 1).
 * `body` is the decoded JSON (undefined, or an empty object, when there was none) or the raw text.
 */
export function parseVzData(body: unknown, query: Record<string, unknown>, nowMs: number): Parsed<VzTuple[]> {
  const json = typeof body === 'string' ? decodeText(body) : body;
  if (json === undefined || json === null || (isObject(json) && Object.keys(json).length === 0))
    return fromQuery(query, nowMs);
  if (isObject(json) && 'data' in json) return refused('Can only add data for a single channel at a time');
  if (!Array.isArray(json)) return refused('body must be a JSON array of [timestamp_ms, value] tuples');
  // volkszaehler flattens the tuples into (ts, value) pairs, so a third element would shift every pair.
  return parseTuples(json as unknown[], 2);
}

function parseTuples(raw: unknown[], maxLength: 2 | 3): Parsed<VzTuple[]> {
  const tuples: VzTuple[] = [];
  for (const tuple of raw) {
    if (!Array.isArray(tuple) || tuple.length < 2 || tuple.length > maxLength)
      return refused(
        `tuple ${shown(tuple)} is not [timestamp_ms, value${maxLength === 3 ? '(, count)' : ''}]`,
      );
    const [ts, v] = tuple as unknown[];
    const tsMs = numericValue(ts);
    if (tsMs === undefined) return refused(`timestamp ${shown(ts)} is not a number`);
    const early = tooEarly(tsMs);
    if (early) return refused(early);
    const value = numericValue(v);
    if (value === undefined) return refused(`value ${shown(v)} is not a number`);
    tuples.push({ tsMs, value });
  }
  return parsed(tuples);
}

function fromQuery(query: Record<string, unknown>, nowMs: number): Parsed<VzTuple[]> {
  const { ts, value } = query;
  let tsMs = Math.round(nowMs);
  if (ts !== undefined) {
    const t = typeof ts === 'string' ? queryTime(ts) : undefined;
    if (t === undefined) return refused(`Invalid time format: ${shown(ts)}`);
    const early = tooEarly(t);
    if (early) return refused(early);
    tsMs = t;
  }
  const v = value === undefined ? 1 : numericValue(value);
  if (v === undefined) return refused(`value ${shown(value)} is not a number`);
  return parsed([{ tsMs, value: v }]);
}

/** volkszaehler's parseDateTimeString: digits are ms; other text is a date (read to the second). */
function queryTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
  const s = parseIsoSeconds(text);
  return s === undefined ? undefined : s * 1000;
}

const tooEarly = (tsMs: number): string | undefined =>
  tsMs < EARLIEST_MS ? `timestamp ${tsMs} is before 1990: timestamps are milliseconds since 1970` : undefined;

/** volkszaehler falls back to the query for a body that is empty or not JSON. */
function decodeText(text: string): unknown {
  try {
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
