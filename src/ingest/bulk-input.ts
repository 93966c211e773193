// emoncms's `input/bulk` (Modules/input/input_methods.php::bulk) as a pure parser: what emonhub's
// EmonHubEmoncmsHTTPInterfacer sends every 30 s. emonhub drops its buffer only when the answer is
// exactly `ok`, so a body is refused whole only when it cannot be read at all; a bad frame in a
// readable body is handed on as a refused frame (dropped and counted), never a refused body.

import { inflateSync } from 'node:zlib';
import { checkName, checkNode, lastValueWins, numericValue, shown, timeProblem } from './input-names.js';
import { parsed, refused, type NodeReadings, type Parsed, type Reading } from './readings.js';

export interface InputBulkOptions {
  /** Frames stamped further ahead than this are dropped. */
  maxFutureS: number;
  /** Cap on decompressed `cb=1` / `c=1` data, against zlib bombs. */
  maxInflatedBytes?: number;
}

/** A readable body: each frame's readings, or why that frame is dropped. */
export interface BulkFrames {
  frames: Parsed<NodeReadings>[];
  fulljson: boolean;
}

const BAD_BULK_JSON = 'Format error, json string supplied is not valid';
const DEFAULT_MAX_INFLATED_BYTES = 4 * 1024 * 1024;

/**
 * `input/bulk`: `data=[[t, node, v1, v2 | {name: v}, …], …]`. Row time = reference + t, where the
 * reference is `now - sentat`, `now - offset`, `time`, or (legacy) `now - t` of the last row.
 * `cb` → the raw body is zlib data; `c` → `data` is hex of zlib data. A frame whose only values are
 * `{}` carries nothing and is left out, as emoncms stores nothing for it.
 */
export function parseInputBulk(
  params: Record<string, unknown>,
  rawBody: Buffer | undefined,
  nowS: number,
  opts: InputBulkOptions,
): Parsed<BulkFrames> {
  const fulljson = present(params, 'fulljson');
  const text = bulkText(params, rawBody, opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES);
  if (!text.ok) return text;
  let data: unknown;
  try {
    data = JSON.parse(text.value);
  } catch {
    return refused(BAD_BULK_JSON);
  }
  if (!Array.isArray(data) || data.length === 0) return refused(BAD_BULK_JSON);
  const last: unknown = data[data.length - 1];
  if (!Array.isArray(last) || last[0] === undefined || last[0] === null)
    return refused('Format error, last item in bulk data does not contain any data');

  const ref = timeReference(params, last[0], Math.floor(nowS));
  if (!ref.ok) return ref;
  const frames: Parsed<NodeReadings>[] = [];
  for (const item of data as unknown[]) {
    const frame = bulkFrame(item, ref.value);
    const badTime = frame.ok ? timeProblem(frame.value.timeS, nowS, opts.maxFutureS) : undefined;
    if (badTime) frames.push(refused(badTime));
    else if (!frame.ok || frame.value.values.length > 0) frames.push(frame);
  }
  return parsed({ frames, fulljson });
}

function bulkText(
  params: Record<string, unknown>,
  rawBody: Buffer | undefined,
  maxBytes: number,
): Parsed<string> {
  if (present(params, 'cb')) return inflate(rawBody ?? Buffer.alloc(0), maxBytes);
  const data = params.data;
  if (present(params, 'c')) {
    if (typeof data !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(data))
      return refused('Format error, compressed hex not valid');
    return inflate(Buffer.from(data, 'hex'), maxBytes);
  }
  return typeof data === 'string' ? parsed(data) : refused(BAD_BULK_JSON);
}

/** PHP's gzuncompress: zlib (RFC 1950) data. */
function inflate(compressed: Buffer, maxBytes: number): Parsed<string> {
  try {
    return parsed(inflateSync(compressed, { maxOutputLength: maxBytes }).toString('utf8'));
  } catch (err) {
    const tooBig = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    return refused(
      tooBig
        ? `Format error, compressed data inflates to more than ${maxBytes} bytes`
        : 'Format error, compressed data is not valid zlib data',
    );
  }
}

function timeReference(params: Record<string, unknown>, lastOffset: unknown, nowS: number): Parsed<number> {
  for (const [key, toRef] of [
    ['sentat', (v: number) => nowS - v],
    ['offset', (v: number) => nowS - v],
    ['time', (v: number) => v],
  ] as const) {
    if (!present(params, key)) continue;
    const v = integer(params[key]);
    return v === undefined
      ? refused(`Format error, ${key} ${shown(params[key])} is not numeric`)
      : parsed(toRef(v));
  }
  const t = integer(lastOffset);
  return t === undefined
    ? refused(`Format error, bulk item time ${shown(lastOffset)} is not numeric`)
    : parsed(nowS - t);
}

/** PHP's `(int)` of a numeric value: truncated toward zero. */
function integer(v: unknown): number | undefined {
  const n = numericValue(v);
  return n === undefined || !Number.isSafeInteger(Math.trunc(n)) ? undefined : Math.trunc(n);
}

function bulkFrame(item: unknown, timeRefS: number): Parsed<NodeReadings> {
  if (!Array.isArray(item)) return refused(`Format error, bulk item ${shown(item)} is not an array`);
  if (item.length < 3) return refused('Format error, bulk item needs at least 3 values'); // que_input_controller.php
  const [t, rawNode, ...rest] = item as unknown[];
  const offset = integer(t);
  if (offset === undefined) return refused(`Format error, bulk item time ${shown(t)} is not numeric`);
  const node = bulkNode(rawNode);
  if (!node.ok) return node;
  const values: Reading[] = [];
  let index = 1;
  for (const v of rest) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      // `{name: value}` names its values and, as in emoncms, takes no number from the 1, 2, … sequence.
      for (const [key, value] of Object.entries(v)) {
        const reading = bulkReading(key, value, node.value);
        if (!reading.ok) return reading;
        values.push(reading.value);
      }
      continue;
    }
    const reading = bulkReading(String(index++), v, node.value);
    if (!reading.ok) return reading;
    values.push(reading.value);
  }
  return parsed({ node: node.value, timeS: timeRefS + offset, values: lastValueWins(values) });
}

function bulkNode(raw: unknown): Parsed<string> {
  if (raw !== null && typeof raw === 'object') return refused('Format error, node must not be an object');
  if (raw === null || raw === '') return parsed('0');
  if (typeof raw === 'number' && Number.isFinite(raw)) return checkNode(String(raw));
  if (typeof raw === 'string') return checkNode(raw);
  return refused(`Format error, node ${shown(raw)} is not a name or number`);
}

/** emoncms casts bulk values with `(float)` (text → 0, null → 0); the hub keeps null, drops the rest. */
function bulkReading(rawName: string, raw: unknown, node: string): Parsed<Reading> {
  const name = checkName(rawName);
  if (!name.ok) return name;
  const value = raw === null ? null : numericValue(raw);
  if (value === undefined)
    return refused(`Format error, bulk value ${shown(raw)} of ${node}/${name.value} is not numeric`);
  return parsed({ name: name.value, value });
}

/** PHP's `isset`: a parameter given, even empty (`&cb`), but not null. */
const present = (params: Record<string, unknown>, key: string): boolean =>
  params[key] !== undefined && params[key] !== null;
