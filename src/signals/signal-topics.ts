// The signal topics (docs/mqtt.md, docs/demand-shaper.md). Spelled here rather than in
// src/broker/topics.ts because only the signals capability builds or parses them; the public
// namespace itself, `hub/signals/#`, is SIGNALS_FILTER there. Pure.

/** What a meter gateway delivers, each as one retained JSON message a day (or more often). */
export const GATEWAY_SIGNAL_NAMES = ['price', 'carbon', 'hydro', 'community'] as const;
export type GatewaySignalName = (typeof GATEWAY_SIGNAL_NAMES)[number];

/** Every gateway's signal topics: `gateway/<n>/signals/<name>`. */
export const GATEWAY_SIGNALS_FILTER = 'gateway/+/signals/+';

/** The hub's normalised copy of a signal, retained, readable by every login. */
export const hubSignalTopic = (name: string): string => `hub/signals/${name}`;

export const gatewaySignalTopic = (gateway: string, name: string): string =>
  `gateway/${gateway}/signals/${name}`;

/** `gateway/<n>/signals/<name>` → its parts; undefined for any other topic. */
export function parseGatewaySignalTopic(topic: string): { gateway: string; name: string } | undefined {
  const levels = topic.split('/');
  if (levels.length !== 4 || levels[0] !== 'gateway' || levels[2] !== 'signals') return undefined;
  if (!levels[1] || !levels[3]) return undefined;
  return { gateway: levels[1], name: levels[3] };
}
