// emoncms's `input/post` (Modules/input/input_methods.php::post, input_controller.php) as a pure
// parser, and the exact text/plain bodies emoncms answers input/post and input/bulk with.
// A post is one frame: it gives all its readings or an error, never some of them.

import {
  checkName,
  checkNode,
  jsonDepth,
  lastValueWins,
  numericValue,
  parseEmonTime,
  shown,
  timeProblem,
} from './input-names.js';
import { parsed, refused, type NodeReadings, type Parsed, type Reading } from './readings.js';

export interface InputPostOptions {
  /** Readings stamped further ahead than this are refused. */
  maxFutureS: number;
  /** The node of `input/post/<node>`, which wins over the `node` parameter. */
  pathNode?: string;
}

/** What a parsed `input/post` or `input/bulk` answers on success: `fulljson` → `{"success": true}`. */
export interface ReplyMode {
  fulljson: boolean;
}

const NO_DATA = 'Request contains no data via csv, json or data tag';

// ── replies ───────────────────────────────────────────────────────────────────────────────────

/** `ok`, or `{"success": true}` (with that space) when the request used `fulljson`. */
export const emoncmsSuccess = (fulljson: boolean): string => (fulljson ? '{"success": true}' : 'ok');

/**
 * `{"success": false, "message": "…"}` with `"` turned into `'` as emoncms does. emoncms pastes the
 * message in raw; backslashes and control characters are escaped here so the body stays JSON.
 */
export function emoncmsFailure(message: string): string {
  const safe = JSON.stringify(message.replaceAll('"', "'")).slice(1, -1);
  return `{"success": false, "message": "${safe}"}`;
}

export const emoncmsReply = (result: Parsed<ReplyMode>): string =>
  result.ok ? emoncmsSuccess(result.value.fulljson) : emoncmsFailure(result.error);

// ── input/post ────────────────────────────────────────────────────────────────────────────────

/**
 * `input/post`: node from the path or `node` (default `0`); data from the first of `json`,
 * `fulljson`, `csv`, `data`, read as strict JSON when `fulljson` is present; `time` wins over a
 * JSON `time` key. GET and POST parameters are merged by the caller (POST wins, as in emoncms).
 */
export function parseInputPost(
  params: Record<string, unknown>,
  nowS: number,
  opts: InputPostOptions,
): Parsed<{ readings: NodeReadings; fulljson: boolean }> {
  const fulljson = present(params, 'fulljson');
  const node = nodeOf(params, opts.pathNode);
  if (!node.ok) return node;

  // An empty `time=` means "now" (emoncms: strtotime('') fails → time()); any other unreadable time is refused.
  const timeGiven = present(params, 'time') && params.time !== '';
  let timeS = Math.floor(nowS);
  if (timeGiven) {
    const t = parseEmonTime(params.time);
    if (t === undefined) return refused(badTimeText(params.time));
    timeS = t;
  }

  const key = ['json', 'fulljson', 'csv', 'data'].find((k) => present(params, k));
  const datain = key === undefined ? '' : params[key];
  if (typeof datain !== 'string') return refused(`Format error, ${key} must be given once, as text`);
  if (datain === '') return refused(NO_DATA);

  // emoncms decides by the presence of `fulljson`, even when `json` supplied the text.
  const body: Parsed<{ timeS?: number; values: Reading[] }> = fulljson
    ? fromFullJson(datain, !timeGiven)
    : fromLegacy(datain);
  if (!body.ok) return body;
  if (body.value.values.length === 0) return refused(NO_DATA);
  if (body.value.timeS !== undefined) timeS = body.value.timeS;
  const badTime = timeProblem(timeS, nowS, opts.maxFutureS);
  if (badTime) return refused(badTime);
  return parsed({
    readings: { node: node.value, timeS, values: lastValueWins(body.value.values) },
    fulljson,
  });
}

function nodeOf(params: Record<string, unknown>, pathNode: string | undefined): Parsed<string> {
  // PHP truthiness: a path node of "" or "0" does not count, and `node` is read instead.
  const raw = pathNode !== undefined && pathNode !== '' && pathNode !== '0' ? pathNode : params.node;
  if (raw === undefined || raw === null || raw === '') return parsed('0');
  if (typeof raw !== 'string') return refused('Format error, node must be given once, as text');
  return checkNode(raw);
}

/**
 * `fulljson`: a JSON object (depth 2, as emoncms decodes it). Its `time` key (any case) is never an
 * input here (emoncms keeps it as one when a `time` parameter is given) and is read only when `useTime`.
 */
function fromFullJson(text: string, useTime: boolean): Parsed<{ timeS?: number; values: Reading[] }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (json === null || typeof json !== 'object' || jsonDepth(json) > 2)
    return refused('Input in not a valid JSON object'); // sic, emoncms's wording
  let timeS: number | undefined;
  const values: Reading[] = [];
  for (const [key, raw] of Object.entries(json)) {
    if (key.toLowerCase() === 'time') {
      if (!useTime) continue;
      timeS = parseEmonTime(raw);
      if (timeS === undefined) return refused(badTimeText(raw));
      continue;
    }
    const name = checkName(key);
    if (!name.ok) return name;
    const value = fullJsonValue(raw);
    if (value === 'refuse') return refused(`Format error, json value of ${shown(name.value)} is not numeric`);
    values.push({ name: name.value, value });
  }
  return parsed(timeS === undefined ? { values } : { timeS, values });
}

/**
 * emoncms casts every fulljson value with `(float)`, so text and booleans become 0. The hub stores
 * null for them instead (OpenEVSE posts `"status":"active"` and `"temp":false` in every request, so
 * refusing those would refuse all its data), but refuses NaN/Infinity and nested values outright.
 */
function fullJsonValue(raw: unknown): number | null | 'refuse' {
  const n = numericValue(raw);
  if (n !== undefined) return n;
  if (raw === null || typeof raw === 'boolean') return null;
  if (typeof raw === 'string') return /^\s*[+-]?(nan|inf(inity)?)\s*$/i.test(raw) ? 'refuse' : null;
  return 'refuse';
}

/**
 * The legacy `json`/`csv`/`data` form: characters outside letters, digits, `_ - . : ,` and space are
 * removed (so braces and quotes vanish), then `name:value` pairs and bare CSV values named 1, 2, ….
 * `null` is a value (emoncms stores 0 for it; the hub stores null).
 */
function fromLegacy(text: string): Parsed<{ values: Reading[] }> {
  const values: Reading[] = [];
  let csvIndex = 0;
  for (const item of text.replace(/[^\p{N}\p{L}_\s\-.:,]/gu, '').split(',')) {
    const [first = '', second] = item.split(':');
    if (second !== undefined) {
      if (first === '') return refused('Format error, json key missing or invalid character');
      const value = legacyValue(second);
      if (value === 'refuse') return refused('Format error, json value is not numeric');
      const name = checkName(first);
      if (!name.ok) return name;
      values.push({ name: name.value, value });
    } else {
      const value = legacyValue(first);
      if (value === 'refuse') return refused('Format error: csv value is not numeric');
      values.push({ name: String(++csvIndex), value });
    }
  }
  return parsed({ values });
}

const legacyValue = (text: string): number | null | 'refuse' =>
  text === 'null' ? null : (numericValue(text) ?? 'refuse');

// ── shared ────────────────────────────────────────────────────────────────────────────────────

const badTimeText = (v: unknown): string =>
  `Format error, time ${shown(v)} is not unix seconds or an ISO 8601 date`;

/** PHP's `isset`: a parameter given, even empty (`&cb`), but not null. */
const present = (params: Record<string, unknown>, key: string): boolean =>
  params[key] !== undefined && params[key] !== null;
