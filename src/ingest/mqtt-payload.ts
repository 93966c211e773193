// emoncms's MQTT input rules (scripts/services/emoncms_mqtt/emoncms_mqtt.php), as a pure parser.

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

/** A node's readings, and the device type it announced on its `describe` input, if it did. */
export interface EmonMessage extends NodeReadings {
  /**
   * The text published to `<node>/describe` (e.g. EmonESP's `smartplug`), for auto-configuration.
   * emoncms turns it into null before its device module sees it (numeric filter first); kept here.
   */
  describe?: string;
}

export interface EmonMessageOptions {
  /** emoncms's `basetopic`, without a trailing slash (`emon`). */
  baseTopic: string;
  /** Unix seconds at receipt: the time of readings that carry none. */
  nowS: number;
  /** When set, a message time further ahead than this is refused. */
  maxFutureS?: number;
}

// emoncms decodes MQTT JSON with depth 3; deeper JSON would fall back to being read as text.
const MAX_JSON_DEPTH = 3;

/**
 * One message under `<baseTopic>/#` → the node's readings. Undefined when the topic is not under the
 * base topic. Non-numeric values become null (as emoncms does), but a message with no number at all
 * (and no `describe`) is refused: it can only be a mistake, e.g. `emon/x/power twelve`.
 */
export function parseEmonMessage(
  topic: string,
  payload: Buffer,
  opts: EmonMessageOptions,
): Parsed<EmonMessage> | undefined {
  // emoncms removes every ':' from the topic ("characters that emoncms topics cannot handle").
  const clean = topic.replaceAll(':', '');
  const base = opts.baseTopic.replaceAll(':', '');
  if (clean === base) return refused(`topic ${topic} names no node: publish to ${base}/<node>[/<name>]`);
  // Only the leading base is removed: emoncms's str_replace removes it anywhere ("emon/myemon/x" → "myx").
  if (!clean.startsWith(`${base}/`)) return undefined;
  const [nodeLevel = '', ...nameLevels] = clean.slice(base.length + 1).split('/');
  // EmonESP's control channel (commands to it, its answers) carries no readings: the devices'
  // drivers read it (docs/devices.md), ingest would only refuse and count it.
  if (isEmonEspControl(nameLevels)) return undefined;
  const node = checkNode(nodeLevel);
  if (!node.ok) return node;

  const text = payload.toString('utf8');
  // A paired EmonESP (base `emon/<n>`) announces itself on `emon/<n>/<its node name>/describe`.
  if (
    nameLevels.length === 2 &&
    nameLevels[1]!.toLowerCase() === 'describe' &&
    decodeJson(text) === undefined
  )
    return parsed({ node: node.value, timeS: Math.floor(opts.nowS), values: [], describe: text.trim() });
  const json = decodeJson(text);
  if (json === 'too deep') return refused(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  const message =
    json !== undefined
      ? fromJson(json, nameLevels, opts.nowS)
      : fromText(text, nameLevels, Math.floor(opts.nowS));
  if (!message.ok) return message;
  const { timeS, values, describe } = message.value;
  const badTime = timeProblem(timeS, opts.nowS, opts.maxFutureS);
  if (badTime) return refused(badTime);
  if (describe === undefined && !values.some((r) => r.value !== null))
    return refused(`no numeric value in ${shown(text)}`);
  const result: EmonMessage = { node: node.value, timeS, values: lastValueWins(values) };
  if (describe !== undefined) result.describe = describe;
  return parsed(result);
}

type Body = { timeS: number; values: Reading[]; describe?: string };

/** EmonESP's `<node>/in|out/<ctrlmode|timer|vout|flowT|state>` (src/mqtt.cpp), under either base. */
const EMONESP_CONTROL = new Set(['ctrlmode', 'timer', 'vout', 'flowt', 'state']);
function isEmonEspControl(levels: string[]): boolean {
  const at = levels.length - 2;
  return (
    (at === 0 || at === 1) &&
    (levels[at] === 'in' || levels[at] === 'out') &&
    EMONESP_CONTROL.has(levels[at + 1]!.toLowerCase())
  );
}

/** A JSON object or array (emoncms's `is_array`); undefined when the payload is text or a bare scalar. */
function decodeJson(text: string): object | 'too deep' | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  return jsonDepth(value) > MAX_JSON_DEPTH ? 'too deep' : value;
}

/** `{"power1":100,"time":…}`; extra topic levels prefix each name; `{"k":{"name":n,"value":v}}` → `k_n`. */
function fromJson(json: object, nameLevels: string[], nowS: number): Parsed<Body> {
  const prefix = nameLevels.length > 0 ? `${nameLevels.join('_')}_` : '';
  let timeS = Math.floor(nowS);
  const values: Reading[] = [];
  let describe: string | undefined;
  for (const [key, raw] of Object.entries(json)) {
    if (key.toLowerCase() === 'time') {
      const t = parseEmonTime(raw);
      if (t === undefined) return refused(`time ${shown(raw)} is not unix seconds or an ISO 8601 date`);
      timeS = t;
      continue;
    }
    const { suffix, value } = unbox(raw);
    const name = checkName(prefix + key + suffix);
    if (!name.ok) return name;
    if (name.value.toLowerCase() === 'describe') {
      describe = typeof value === 'string' ? value : JSON.stringify(value);
      continue;
    }
    // emoncms skips (and logs) a value that is an object or array; the hub refuses the message.
    if (value !== null && typeof value === 'object')
      return refused(`value of ${shown(name.value)} is an object or array, not a number`);
    values.push({ name: name.value, value: numericValue(value) ?? null });
  }
  return parsed(describe === undefined ? { timeS, values } : { timeS, values, describe });
}

/** emoncms unboxes `{value, name?}` objects; the name is appended only when PHP finds it truthy. */
function unbox(raw: unknown): { suffix: string; value: unknown } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('value' in raw))
    return { suffix: '', value: raw };
  const { name, value } = raw as { name?: unknown; value: unknown };
  const truthy =
    (typeof name === 'string' && name !== '' && name !== '0') || (typeof name === 'number' && name !== 0);
  return { suffix: truthy ? `_${String(name)}` : '', value };
}

/** `emon/<node>/<a>/<b> 12.5` → input `a_b`; `emon/<node> 1,2,3` → inputs `0`, `1`, `2`. */
function fromText(text: string, nameLevels: string[], nowS: number): Parsed<Body> {
  if (nameLevels.length === 0) {
    const values = text.split(',').map((v, i) => ({ name: String(i), value: numericValue(v) ?? null }));
    return parsed({ timeS: nowS, values });
  }
  const name = checkName(nameLevels.join('_'));
  if (!name.ok) return name;
  if (name.value.toLowerCase() === 'describe')
    return parsed({ timeS: nowS, values: [], describe: text.trim() });
  return parsed({ timeS: nowS, values: [{ name: name.value, value: numericValue(text) ?? null }] });
}
