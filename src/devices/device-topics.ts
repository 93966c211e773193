// Which MQTT topics a device owns, by the firmware it runs (facts: reference/demandshaper.md §5,
// reference/emoncms.md §3–5, checked against EmonESP src/mqtt.cpp, OpenEVSE src/mqtt.cpp and
// emonhub EmonHubMqttInterfacer.py). A device publishes only under its own roots and subscribes
// only to its own command topics, plus what `read` lists (read-only, owned by others).

/** `gateway`: a meter gateway, the one kind that may publish the day-ahead signals (docs/demand-shaper.md). */
export const DEVICE_KINDS = [
  'hub',
  'emonhub',
  'tasmota',
  'shelly',
  'emonesp',
  'openevse',
  'gateway',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface DeviceTopics {
  /** Filters it may publish to (its own). */
  publish: string[];
  /** Filters it may subscribe to that carry its commands (its own). */
  subscribe: string[];
  /** Filters it may subscribe to that others own (e.g. OpenEVSE reading a meter for solar divert). */
  read: string[];
}

/**
 * A gateway relays many nodes, so it owns the whole emoncms base topic; a node root another
 * device owns (an EmonESP's `emon/<node>/#`) is carved out of it. One gateway at a time.
 */
export const GATEWAY_KINDS: readonly DeviceKind[] = ['emonhub'];
export const GATEWAY_SHARED_FILTER = 'emon/#';

/**
 * First-level names the hub or a supported firmware uses as a namespace: a device named like one
 * would own (or clash with) everybody's topics there. Compared case-insensitively.
 */
export const RESERVED_TOPIC_NAMES: ReadonlyMap<string, string> = new Map([
  ['hub', "the hub's own topics"],
  ['gateway', "meter gateways' topics"],
  ['emon', 'the emoncms base topic'],
  ['emonhub', "emonhub's own topics"],
  ['nodes', "emonhub's default nodevar base topic"],
  ['emonesp', "EmonESP's default base topic"],
  ['cmnd', 'Tasmota commands'],
  ['stat', 'Tasmota state'],
  ['tele', 'Tasmota telemetry'],
  ['tasmota', 'Tasmota'],
  ['tasmotas', "Tasmota's group topic"],
  ['shellies', 'Shelly Gen1 topics'],
  ['openevse', "OpenEVSE's announce topics"],
  ['homeassistant', 'Home Assistant discovery'],
]);

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Why a topic name may not be used, or undefined if it may. */
export function topicNameProblem(topicName: string): string | undefined {
  if (!NAME.test(topicName)) return 'the topic name must be 1 to 64 letters, digits or . _ -';
  const reserved = RESERVED_TOPIC_NAMES.get(topicName.toLowerCase());
  if (reserved) return `the topic name "${topicName}" is reserved (${reserved})`;
  return undefined;
}

/** `topicName`: a meter gateway its name, emonhub a label, Tasmota its topic, Shelly its id, EmonESP its node, OpenEVSE its base. */
export function topicsFor(kind: DeviceKind, topicName: string): DeviceTopics {
  const problem = topicNameProblem(topicName);
  if (problem) throw new Error(problem);
  const n = topicName;
  switch (kind) {
    case 'hub':
      return {
        publish: [`hub/dev/${n}/#`],
        subscribe: [`hub/dev/${n}/+/set`, `hub/dev/${n}/cmd/#`],
        read: [],
      };
    case 'gateway':
      // Its day-ahead signals `gateway/<n>/signals/<name>` (and nothing outside its root).
      return { publish: [`gateway/${n}/#`], subscribe: [], read: [] };
    case 'emonhub':
      // nodevar `emon/<node>/<name>`, JSON `emon/<node>`, node format `emonhub/rx/<id>/values`;
      // it subscribes `emonhub/tx/#` (values to send to the radio).
      return { publish: [GATEWAY_SHARED_FILTER, 'emonhub/rx/#'], subscribe: ['emonhub/tx/#'], read: [] };
    case 'tasmota':
      // On connect Tasmota publishes an empty `cmnd/<t>/POWER` (clearing a retained command that
      // would switch it: "ghost switching") and subscribes to its group topic `cmnd/tasmotas/#`,
      // which the hub never publishes to.
      return {
        publish: [`tele/${n}/#`, `stat/${n}/#`, `cmnd/${n}/POWER`],
        subscribe: [`cmnd/${n}/#`],
        read: ['cmnd/tasmotas/#'],
      };
    case 'shelly':
      return {
        publish: [`${n}/#`, `shellies/${n}/#`],
        // `<id>/command/switch:<n>` is Gen2's simple on/off/toggle control topic.
        subscribe: [`${n}/rpc`, `${n}/command`, `${n}/command/#`, `shellies/${n}/command`],
        read: [],
      };
    case 'emonesp':
      // Base `emon`, node n: `emon/n/describe`, `emon/n/out/…`, `emon/n/freeram`; commands
      // `emon/n/in/#`. Base `emon/n` (what pairing hands out: readings `emon/n/<key>`) puts its
      // describe and commands under its own node name, which the hub learns from describe:
      // `emon/n/<node>/in/#`.
      return { publish: [`emon/${n}/#`], subscribe: [`emon/${n}/in/#`, `emon/${n}/+/in/#`], read: [] };
    case 'openevse':
      return {
        publish: [`${n}/#`, `openevse/announce/${openevseAnnounceId(n)}`],
        subscribe: [
          `${n}/rapi/in/#`,
          ...['divertmode', 'shaper', 'override', 'claim', 'schedule', 'limit', 'config'].map(
            (t) => `${n}/${t}/set`,
          ),
          `${n}/schedule/clear`,
          `${n}/restart`,
        ],
        // Solar divert, current shaper and voltage inputs: defaults emon/emonpi/power1, …/vrms;
        // it subscribes to the broker's version at every connect (src/mqtt.cpp).
        read: ['emon/+/+', '$SYS/broker/version'],
      };
  }
}

/**
 * What version 1 granted an emonhub row (one per node): its node `emon/<n>`, `emon/<n>/#`. An
 * emonhub row that is not the gateway keeps this, so an emonhub still using it is not dropped.
 */
export function emonhubNodeTopics(topicName: string): DeviceTopics {
  const problem = topicNameProblem(topicName);
  if (problem) throw new Error(problem);
  return { publish: [`emon/${topicName}`, `emon/${topicName}/#`], subscribe: [], read: [] };
}

/** OpenEVSE's base defaults to its hostname `openevse-<id>` and it announces on `openevse/announce/<id>`. */
export function openevseAnnounceId(base: string): string {
  const m = /^openevse-(.+)$/i.exec(base);
  return m ? m[1]! : base;
}

export const isGatewayKind = (kind: DeviceKind): boolean => GATEWAY_KINDS.includes(kind);
