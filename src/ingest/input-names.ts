// emoncms's rules for the text of an input: its node and name, its value and its time.
// Pure: shared by the MQTT, HTTP and vzlogger parsers so that every source agrees.

import { parsed, refused, type Parsed } from './readings.js';

/** emoncms.org caps node ids at 16 and names at 64 (comments in `input_model.php`); 64 for both here. */
export const MAX_NODE_CHARS = 64;
export const MAX_NAME_CHARS = 64;

// The characters emoncms keeps in node ids and input names (`/[^\p{N}\p{L}_\s\-.]/u`).
const NOT_NAME_CHAR = /[^\p{N}\p{L}_\s\-.]/gu;

/** emoncms's cleaning, exactly: every character outside letters, digits, `_`, space, `-`, `.` is dropped. */
export const stripInputName = (raw: string): string => raw.replace(NOT_NAME_CHAR, '');

/**
 * The name the hub stores: emoncms's cleaning, then outer whitespace trimmed (emoncms keeps it, so
 * `json={a: 1, b: 2}` would make an input " b"). Undefined when nothing is left or it is too long.
 */
export function cleanInputName(raw: string, maxChars = MAX_NAME_CHARS): string | undefined {
  const clean = stripInputName(raw).trim();
  return clean === '' || [...clean].length > maxChars ? undefined : clean;
}

/**
 * The one rule for a node or input name given to the hub's own API (inputs, device templates):
 * emoncms's characters with space as the only whitespace, 1 to MAX_NODE_CHARS of them.
 */
const API_NAME = /^[\p{L}\p{N}_. -]{1,64}$/u;
export const isApiName = (text: string): boolean => API_NAME.test(text);
export const API_NAME_RULE = '1 to 64 letters, digits, spaces, "_", "-" or "."';

export const checkNode = (raw: string): Parsed<string> => checkIdentifier('node', raw, MAX_NODE_CHARS);
export const checkName = (raw: string): Parsed<string> => checkIdentifier('input name', raw, MAX_NAME_CHARS);

function checkIdentifier(what: string, raw: string, maxChars: number): Parsed<string> {
  const clean = stripInputName(raw).trim();
  if (clean === '')
    return refused(
      `Format error, ${what} ${shown(raw)} is empty once cleaned (letters, digits, space, _ - . only)`,
    );
  if ([...clean].length > maxChars)
    return refused(`Format error, ${what} ${shown(clean)} is longer than ${maxChars} characters`);
  return parsed(clean);
}

// PHP 8's is_numeric() for strings: optional surrounding whitespace, sign, decimal or exponent form;
// no hex, no "inf"/"nan", no digit separators.
const PHP_NUMERIC = /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/;

/** A finite number from a JSON number or a numeric string (PHP's rules); undefined otherwise. */
export function numericValue(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && PHP_NUMERIC.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

// ISO 8601 date, optional time (T or space), optional fraction and zone: what devices actually send
// (OpenEVSE: "2024-05-01T12:00:00Z"). PHP's strtotime() accepts far more; a time must be unambiguous here.
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2})?)?$/;

/** Unix seconds of an ISO 8601 date; a date without zone is UTC. Fractions of a second are dropped. */
export function parseIsoSeconds(text: string): number | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', , sign, zh = '0', zm = '0'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  // Date.UTC rolls 2024-02-30 over to March: a date that does not come back unchanged does not exist.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day)
    return undefined;
  if (hour > 23 || minute > 59 || second > 59 || Number(zh) > 23 || Number(zm) > 59) return undefined;
  const offsetS = sign ? (sign === '-' ? -1 : 1) * (Number(zh) * 3600 + Number(zm) * 60) : 0;
  return ms / 1000 - offsetS;
}

/**
 * An emoncms time: a number or numeric string is unix seconds, cut to an integer as PHP's `(int)`
 * does; other text must be an ISO 8601 date. emoncms falls back to "now" for a time it cannot read;
 * the hub refuses it instead, so a broken device clock is seen rather than hidden.
 */
export function parseEmonTime(v: unknown): number | undefined {
  const n = numericValue(v);
  if (n !== undefined) return Number.isSafeInteger(Math.trunc(n)) ? Math.trunc(n) : undefined;
  return typeof v === 'string' ? parseIsoSeconds(v) : undefined;
}

/** Why a reading time is refused, or undefined when it is acceptable. */
export function timeProblem(timeS: number, nowS: number, maxFutureS: number | undefined): string | undefined {
  if (timeS < 0) return `Format error, time ${timeS} is before 1970`;
  if (maxFutureS !== undefined && timeS > nowS + maxFutureS)
    return `Format error, time ${timeS} is more than ${maxFutureS} s in the future`;
  return undefined;
}

/** Readings in first-seen order, a repeated name keeping its last value (as PHP arrays do). */
export function lastValueWins<T extends { name: string }>(items: readonly T[]): T[] {
  const byName = new Map<string, T>();
  for (const item of items) byName.set(item.name, item);
  return [...byName.values()];
}

/** How deeply arrays and objects nest in a JSON value (PHP's json_decode depth; a scalar is 0). */
export function jsonDepth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let deepest = 0;
  for (const child of Object.values(v)) deepest = Math.max(deepest, jsonDepth(child));
  return deepest + 1;
}

/** The text a message or parameter gave, for error messages: quoted, and cut when long. */
export const shown = (v: unknown): string => {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
};
