import type { PairingClaimKind } from '../api/contract.js';

// What a device connected with a pairing login tells about itself in its first messages, read
// from the firmware's own topics (pure). Facts: reference/demandshaper.md §5 and the firmware
// sources named there — Tasmota's native discovery (xdrv_12_discovery.ino, retained
// `tasmota/discovery/<MAC>/config`: t topic, ft full topic, md module, dn device name, hn host
// name, rl relays), its `tele/<t>/LWT Online` and `tele/<t>/INFO1`; Shelly Gen2's
// `<prefix>/online true` and the answer to Shelly.GetDeviceInfo on `<src>/rpc`; OpenEVSE's
// retained `openevse/announce/<id>` {state, id, name, mqtt: <base>, http}.

export interface ClaimFacts {
  kind?: PairingClaimKind;
  /** Its own topic level (Tasmota %topic%, Shelly topic prefix, OpenEVSE base). */
  topicName?: string;
  model?: string;
  label?: string;
  /** Why the hub cannot take it as it is (a Tasmota with another FullTopic). */
  problem?: string;
  /** OpenEVSE: its web address as it announces it (`http://<ip>/`). */
  http?: string;
  /** Shelly: an answer to one of the hub's RPC frames. */
  rpcReply?: { id: unknown; error?: string };
}

/** The `src` of the hub's RPC frames to a pairing Shelly: its answers come on `<src>/rpc`. */
export const PAIRING_RPC_SRC = 'hub-pairing';

/** Tasmota's default FullTopic, the only one the hub's Tasmota driver speaks. */
export const TASMOTA_DEFAULT_FULLTOPIC = '%prefix%/%topic%/';

const LEVEL = /^[^/#+$]{1,64}$/;
const MAX_TEXT = 64;

/** The facts one message of a pairing session gives, or undefined when it gives none. */
export function readClaimFacts(topic: string, payload: Buffer): ClaimFacts | undefined {
  const levels = topic.split('/');
  const text = payload.toString('utf8');
  if (levels[0] === 'tasmota' && levels[1] === 'discovery' && levels[3] === 'config' && levels.length === 4)
    return tasmotaDiscovery(json(text));
  if ((levels[0] === 'tele' || levels[0] === 'stat') && levels.length === 3 && LEVEL.test(levels[1]!)) {
    if (levels[0] === 'tele' && levels[2] === 'LWT' && text === 'Online')
      return { kind: 'tasmota', topicName: levels[1]! };
    if (levels[0] === 'tele' && levels[2] === 'INFO1') {
      const module = record(record(json(text))?.Info1)?.Module;
      return { kind: 'tasmota', topicName: levels[1]!, ...textField('model', module) };
    }
    return undefined;
  }
  if (levels[0] === 'openevse' && levels[1] === 'announce' && levels.length === 3)
    return openevse(json(text));
  if (levels.length === 2 && levels[0] === PAIRING_RPC_SRC && levels[1] === 'rpc')
    return shellyReply(json(text));
  if (levels.length === 2 && levels[1] === 'online' && text === 'true' && LEVEL.test(levels[0]!))
    return { kind: 'shelly', topicName: levels[0]! };
  return undefined;
}

function tasmotaDiscovery(body: unknown): ClaimFacts | undefined {
  const config = record(body);
  if (!config || typeof config.t !== 'string' || !LEVEL.test(config.t)) return undefined;
  const facts: ClaimFacts = {
    kind: 'tasmota',
    topicName: config.t,
    ...textField('model', config.md),
    ...textField('label', typeof config.dn === 'string' && config.dn ? config.dn : config.hn),
  };
  if (typeof config.ft === 'string' && config.ft !== TASMOTA_DEFAULT_FULLTOPIC)
    facts.problem = `its FullTopic is ${config.ft}; the hub speaks Tasmota's default ${TASMOTA_DEFAULT_FULLTOPIC}`;
  return facts;
}

function openevse(body: unknown): ClaimFacts | undefined {
  const announce = record(body);
  if (!announce || announce.state !== 'connected' || typeof announce.mqtt !== 'string') return undefined;
  if (!LEVEL.test(announce.mqtt)) {
    return { kind: 'openevse', problem: `its base topic "${announce.mqtt}" has more than one level` };
  }
  return {
    kind: 'openevse',
    topicName: announce.mqtt,
    model: 'OpenEVSE',
    ...textField('label', announce.name),
    ...(typeof announce.http === 'string' ? { http: announce.http.slice(0, 100) } : {}),
  };
}

function shellyReply(body: unknown): ClaimFacts | undefined {
  const frame = record(body);
  if (!frame || frame.id === undefined) return undefined;
  const error = record(frame.error);
  if (error) return { rpcReply: { id: frame.id, error: String(error.message ?? error.code ?? 'error') } };
  const info = record(frame.result);
  const facts: ClaimFacts = { rpcReply: { id: frame.id } };
  if (info && typeof info.model === 'string' && typeof info.gen === 'number' && info.gen >= 2) {
    facts.kind = 'shelly';
    Object.assign(facts, textField('model', info.model), textField('label', info.name ?? info.app));
  }
  return facts;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A short one-line text field, or nothing. */
function textField<K extends 'model' | 'label'>(key: K, value: unknown): Partial<Record<K, string>> {
  if (typeof value !== 'string') return {};
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean ? ({ [key]: clean.slice(0, MAX_TEXT) } as Partial<Record<K, string>>) : {};
}
