// Which MQTT topics a device owns, by the protocol it speaks (facts: reference/demandshaper.md §5,
// reference/emoncms.md §5). A device publishes only under its own roots and subscribes only to its
// own command topics.

export const DEVICE_KINDS = ['hub', 'emonhub', 'tasmota', 'shelly'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface DeviceTopics {
  publish: string[];
  subscribe: string[];
}

/** `topicName` is the device's own topic level (emonhub node, Tasmota topic, Shelly id). */
export function topicsFor(kind: DeviceKind, topicName: string): DeviceTopics {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(topicName)) {
    throw new Error('the topic name must be 1 to 64 letters, digits or . _ -');
  }
  switch (kind) {
    case 'hub':
      return {
        publish: [`hub/dev/${topicName}/#`],
        subscribe: [`hub/dev/${topicName}/+/set`, `hub/dev/${topicName}/cmd/#`],
      };
    case 'emonhub':
      return { publish: [`emon/${topicName}`, `emon/${topicName}/#`], subscribe: [] };
    case 'tasmota':
      return { publish: [`tele/${topicName}/#`, `stat/${topicName}/#`], subscribe: [`cmnd/${topicName}/#`] };
    case 'shelly':
      return {
        publish: [`${topicName}/#`, `shellies/${topicName}/#`],
        subscribe: [`${topicName}/rpc`, `${topicName}/command`, `shellies/${topicName}/command`],
      };
  }
}
