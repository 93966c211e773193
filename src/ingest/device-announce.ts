// OpenEVSE's MQTT announce (OpenEVSE/ESP32_WiFi_V4.x src/mqtt.cpp, docs/mqtt.md) as a pure parser.
// On each connect it publishes, retained, to `openevse/announce/<last 4 hex digits of its id>`:
//   {"state":"connected","id":"c44f330dxxad","name":"openevse-55ad","mqtt":"emon/openevse-55ad","http":"http://192.168.1.43/"}
// and its last will on the same topic is {"state":"disconnected","id":…,"name":…}. `mqtt` is the base
// topic of its readings (`<mqtt>/amp`, `<mqtt>/wh`, …; default the host name, `emon/<name>` for emoncms).

import { topicNameProblem } from '../devices/device-topics.js';
import { checkName, checkNode, numericValue, shown } from './input-names.js';
import { parsed, refused, type NodeReadings, type Parsed } from './readings.js';

/** Where OpenEVSE announces itself (`mqtt_announce_topic`, default `openevse/announce/<shortid>`). */
export const OPENEVSE_ANNOUNCE_FILTER = 'openevse/announce/+';

export interface OpenEvseAnnounce {
  state: 'connected' | 'disconnected';
  /** The charger's id (its MAC in hex) and host name. */
  id: string;
  name: string;
  /** The base topic of its readings; only in a `connected` announce. */
  mqttTopic?: string;
  /** The node its readings arrive as, when that base topic is `<baseTopic>/<node>`. */
  node?: string;
  /**
   * Its base topic when that is one level of its own (the firmware default, its host name
   * `openevse-<id>`): a name a device login may own, never a reserved namespace or the ingest base.
   */
  ownTopic?: string;
}

export function parseOpenEvseAnnounce(payload: Buffer, baseTopic: string): Parsed<OpenEvseAnnounce> {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    json = undefined;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return refused(`announce ${shown(payload.toString('utf8'))} is not a JSON object`);
  const { state, id, name, mqtt } = json as Record<string, unknown>;
  if (state !== 'connected' && state !== 'disconnected')
    return refused(`announce state ${shown(state)} is not connected or disconnected`);
  if (typeof id !== 'string' || typeof name !== 'string')
    return refused('announce without a text id and name');
  const announce: OpenEvseAnnounce = { state, id, name };
  if (typeof mqtt !== 'string') return parsed(announce);
  announce.mqttTopic = mqtt;
  const rest = mqtt.startsWith(`${baseTopic}/`) ? mqtt.slice(baseTopic.length + 1) : undefined;
  // Readings at `<base>/<node>/amp`: a deeper base topic would make them inputs of another node.
  const node = rest !== undefined && !rest.includes('/') ? checkNode(rest) : undefined;
  if (node?.ok && node.value === rest) announce.node = node.value;
  else if (topicNameProblem(mqtt) === undefined && mqtt.toLowerCase() !== baseTopic.toLowerCase())
    announce.ownTopic = mqtt;
  return parsed(announce);
}

/**
 * A status value at `<ownTopic>/<key>` (published every 30 s, one topic per key) as a reading of
 * node `<ownTopic>`. Undefined when it is not a number: `config`, `override` and `claim` are JSON,
 * `status` is text; those are not readings, and not mistakes either.
 */
export function parseOpenEvseStatus(
  ownTopic: string,
  topic: string,
  payload: Buffer,
  nowS: number,
): Parsed<NodeReadings> | undefined {
  if (!topic.startsWith(`${ownTopic}/`)) return undefined;
  const key = topic.slice(ownTopic.length + 1);
  if (key.includes('/')) return undefined;
  const value = numericValue(payload.toString('utf8'));
  if (value === undefined) return undefined;
  const name = checkName(key);
  if (!name.ok) return name;
  return parsed({ node: ownTopic, timeS: Math.floor(nowS), values: [{ name: name.value, value }] });
}
