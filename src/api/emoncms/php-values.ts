// PHP's casts and json_encode as emoncms's controllers apply them to request parameters and
// answers (facts: /tmp/facts/emoncms-feed-api.md, "Parameters"). Pure.

const NUMERIC = /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/;
const LEADING_NUMBER = /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/;

/** PHP is_numeric() of a string: the number, or undefined. */
export function phpNumeric(value: string | undefined): number | undefined {
  return value !== undefined && NUMERIC.test(value) ? Number(value) : undefined;
}

/** PHP (float) of a request value: its leading number, else 0 (null, "", "abc" → 0). */
export function phpFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return value === null || value === undefined ? 0 : 1;
  const match = LEADING_NUMBER.exec(value);
  return match ? Number(match[0]) : 0;
}

/** PHP (int) of a request value: the leading number truncated, else 0. */
export function phpInt(value: unknown): number {
  const n = Math.trunc(phpFloat(value));
  return Number.isFinite(n) ? n : 0;
}

/** PHP truthiness of a request parameter: absent, "" and "0" are false. */
export function phpTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}

/** PHP round(): half away from zero, after PHP's pre-rounding to 15 significant digits. */
export function phpRound(value: number, places = 0): number {
  const scale = 10 ** places;
  const scaled = Number((Math.abs(value) * scale).toPrecision(15));
  return (Math.sign(value) * Math.round(scaled)) / scale;
}

/** PHP json_decode() of a request value; undefined where PHP gives null. */
export function phpJsonDecode(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    const decoded: unknown = JSON.parse(value);
    return decoded === null ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/** PHP rawurldecode(): %XX sequences decoded (as UTF-8), everything else left as it is. */
export function rawUrlDecode(value: string): string {
  return value.replace(/(%[0-9A-Fa-f]{2})+/g, (run) =>
    Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'),
  );
}

/** PHP stripslashes(): a backslash quotes the next character ("\0" is NUL). */
export function stripSlashes(value: string): string {
  return value.replace(/\\(.?)/gs, (_all, ch: string) => (ch === '0' ? '\0' : ch));
}

/**
 * PHP json_encode() with default flags: slashes escaped as "\/" and non-ASCII characters as
 * \uXXXX (JSON has both only inside strings, so the whole text can be rewritten).
 */
export function phpJsonEncode(value: unknown): string {
  const json = JSON.stringify(value === undefined ? null : value);
  return json
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * A PHP array with integer keys as json_encode prints it: a list when the keys are exactly
 * 0..n-1 in order, else an object keyed by the indexes.
 */
export function phpIndexedArray<T>(entries: ReadonlyMap<number, T>): T[] | Record<string, T> {
  const keys = [...entries.keys()];
  if (keys.every((key, i) => key === i)) return [...entries.values()];
  return Object.fromEntries([...entries].map(([key, value]) => [String(key), value]));
}
