// EmonESP smart plug (SonOff S20) and WiFi relay. Facts: openenergymonitor/EmonESP 3a41aec
// src/mqtt.cpp (describe on connect, `in/#` commands, `out/state` JSON reply), src/src.ino
// (a button press publishes `out/ctrlmode`), branch pub_device_state src/src.ino (`state` 0|1
// every 10 s); reference/demandshaper.md §1.6, §5.3, §5.5. EmonESP has no last-will: online
// comes from any message, and the runner marks it offline when its MQTT session ends.
//
// Two layouts under the device's root `emon/<t>`: the base `emon/<t>` pairing hands out
// (readings `emon/<t>/<key>`, node topics `emon/<t>/<node>/…`) and the older base `emon` with
// the node named like the device (`emon/<t>/describe`, `emon/<t>/in/…`).
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import type {
  DeviceDriver,
  DeviceState,
  DriverDevice,
  OutgoingMessage,
  Reduced as ReducedOf,
} from '../driver.js';
import { relayPart } from '../driver.js';
import {
  jsonObjectOf,
  refuseCharging,
  relayConfirms,
  relayIndex,
  seen,
  textOf,
  withRelay,
} from './driver-kit.js';

const NODE = /^[A-Za-z0-9_.-]{1,64}$/;

export const emonespConfigSchema = z.object({
  /** `nested`: base `emon/<t>`, node topics under `emon/<t>/<node>`; `flat`: base `emon`, node = t. */
  layout: z.enum(['nested', 'flat']).default('nested'),
  /** The firmware's node_name (e.g. `smartplug1`), learned from `describe`; null until then. */
  node: z.string().regex(NODE).nullable().default(null),
  /** What `describe` said: `smartplug`, `wifirelay`, `hpmon`. */
  nodeType: z.string().regex(NODE).nullable().default(null),
});
export type EmonespConfig = z.infer<typeof emonespConfigSchema>;

type Device = DriverDevice<EmonespConfig>;
type Reduced = ReducedOf<EmonespConfig> | undefined;

/** Where the node's own topics are (`…/describe`, `…/in/…`, `…/out/…`), or undefined before describe. */
export function emonespNodeRoot(device: Device): string | undefined {
  const root = `emon/${device.topicName}`;
  if (device.config.layout === 'flat') return root;
  return device.config.node === null ? undefined : `${root}/${device.config.node}`;
}

/** `On` → true, `Off` → false; `Timer` → null (its timers decide, and say nothing). */
function relayOfMode(mode: unknown): boolean | null | undefined {
  if (mode === 'On' || mode === '1') return true;
  if (mode === 'Off' || mode === '0') return false;
  if (mode === 'Timer' || mode === '2') return null;
  return undefined;
}

const same = (a: EmonespConfig, b: EmonespConfig): boolean =>
  a.layout === b.layout && a.node === b.node && a.nodeType === b.nodeType;

/** The relay as the plug reported it. */
const relayReport = (state: DeviceState, nowMs: number, on: boolean | null): Reduced => ({
  state: { ...seen(state, nowMs), relays: withRelay(state.relays, 0, on) },
  reported: [relayPart(0)],
});

/** What a node topic (`sub`, below the node root) says. */
function fromNode(state: DeviceState, sub: string[], payload: Buffer, nowMs: number): Reduced {
  const text = textOf(payload);
  if (text === undefined) return undefined;
  const path = sub.join('/');
  if (path === 'out/ctrlmode') {
    const on = relayOfMode(text.trim());
    return on === undefined ? undefined : relayReport(state, nowMs, on);
  }
  if (path === 'out/state') {
    const json = jsonObjectOf(payload);
    const on = json ? relayOfMode(json.ctrlmode) : undefined;
    return on === undefined ? undefined : relayReport(state, nowMs, on);
  }
  if (path === 'state') {
    const v = text.trim();
    if (v !== '0' && v !== '1') return undefined;
    return relayReport(state, nowMs, v === '1');
  }
  // Readings and the rest under the node (vrms, temperatures…): the plug is up, nothing more.
  return text.length === 0 ? undefined : { state: seen(state, nowMs), reported: [] };
}

function reduce(device: Device, state: DeviceState, topic: string, payload: Buffer, nowMs: number): Reduced {
  const levels = topic.split('/');
  if (levels[0] !== 'emon' || levels[1] !== device.topicName || levels.length < 3) return undefined;
  const rest = levels.slice(2);
  // `…/in/…` are commands to the plug (ours among them), not its reports.
  if (rest[0] === 'in' || rest[1] === 'in') return undefined;
  const { config } = device;

  if (rest.length === 1 && rest[0] === 'describe') {
    // The older layout: base `emon`, node = the device's topic name.
    const nodeType = textOf(payload)?.trim() ?? '';
    if (!NODE.test(nodeType)) return undefined;
    const learned: EmonespConfig = { layout: 'flat', node: device.topicName, nodeType };
    return {
      state: seen(state, nowMs),
      reported: [],
      ...(same(config, learned) ? {} : { config: learned }),
    };
  }
  if (rest.length === 2 && rest[1] === 'describe' && rest[0] !== 'out') {
    // Base `emon/<t>` (what pairing hands out), also after the older layout was seen.
    const nodeType = textOf(payload)?.trim() ?? '';
    if (!NODE.test(rest[0]!) || !NODE.test(nodeType)) return undefined;
    const learned: EmonespConfig = { layout: 'nested', node: rest[0]!, nodeType };
    return {
      state: seen(state, nowMs),
      reported: [],
      ...(same(config, learned) ? {} : { config: learned }),
    };
  }
  if (config.layout === 'flat') return fromNode(state, rest, payload, nowMs);
  if (rest.length === 1) {
    // A reading `emon/<t>/<key>`: ingest stores it; here it only says the plug is up.
    return payload.length === 0 || textOf(payload) === undefined
      ? undefined
      : { state: seen(state, nowMs), reported: [] };
  }
  const [node, ...sub] = rest as [string, ...string[]];
  if (!NODE.test(node)) return undefined;
  // `emon/<t>/out/…` is the older layout's reply before its describe: no node name to learn.
  if (node === 'out') return { state: seen(state, nowMs), reported: [] };
  if (config.node !== null && node !== config.node) return { state: seen(state, nowMs), reported: [] };
  const next = fromNode(state, sub, payload, nowMs);
  if (!next) return undefined;
  // A plug seen before its describe (the hub restarted after it connected) names its node here.
  return config.node === null ? { ...next, config: { ...config, node } } : next;
}

function nodeRootOrRefuse(device: Device): string {
  const root = emonespNodeRoot(device);
  if (root === undefined)
    throw new UserError(
      'This EmonESP has not described itself yet (it does when it connects); switch it once it is online',
      409,
      'not_ready',
    );
  return root;
}

const message = (topic: string, payload: string): OutgoingMessage => ({ topic, payload, qos: 1 });

export const emonespDriver: DeviceDriver<EmonespConfig> = {
  kind: 'emonesp',
  configSchema: emonespConfigSchema,
  capabilities: () => ['switch'],
  subscriptions: (device) => [`emon/${device.topicName}/#`],
  reduce,
  commands(device, desired) {
    refuseCharging(desired, 'An EmonESP plug');
    relayIndex(desired, 1, 'An EmonESP plug');
    if (desired.on === undefined) return [];
    const root = nodeRootOrRefuse(device);
    // `ctrlmode` is case-sensitive (anything else switches it Off) and answers nothing, so ask
    // for `out/state` straight after: the plug handles its messages in order.
    return [message(`${root}/in/ctrlmode`, desired.on ? 'On' : 'Off'), message(`${root}/in/state`, '')];
  },
  queries(device) {
    const root = emonespNodeRoot(device);
    return root === undefined ? [] : [message(`${root}/in/state`, '')];
  },
  confirms: (_device, state, desired) => relayConfirms(state, desired),
};
