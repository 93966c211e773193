// Every MQTT topic the hub builds or parses is spelled here (docs/mqtt.md lists them).

export const TOPIC_MAX_BYTES = 65_535;

/** The hub's public signal topics: any device may subscribe (tariffs, forecasts). */
export const SIGNALS_FILTER = 'hub/signals/#';

/** Mosquitto-compatible broker statistics, published retained. */
export const sysTopics = {
  clientsConnected: '$SYS/broker/clients/connected',
  clientsMaximum: '$SYS/broker/clients/maximum',
  messagesReceivedPerS: '$SYS/broker/load/messages/received/1min',
  messagesSentPerS: '$SYS/broker/load/messages/sent/1min',
  messagesReceived: '$SYS/broker/messages/received',
  messagesSent: '$SYS/broker/messages/sent',
  retainedCount: '$SYS/broker/retained messages/count',
  dropped: '$SYS/broker/messages/dropped',
  uptimeS: '$SYS/broker/uptime',
  version: '$SYS/broker/version',
} as const;

/** A topic name to publish to: non-empty, no wildcards, no NUL. */
export function isValidTopicName(topic: string): boolean {
  return (
    topic.length > 0 &&
    Buffer.byteLength(topic) <= TOPIC_MAX_BYTES &&
    !/[#+]/.test(topic) &&
    !topic.includes('\0')
  );
}

/** A subscription filter: '#' only as the last level, '+' only as a whole level. */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000') || Buffer.byteLength(filter) > TOPIC_MAX_BYTES)
    return false;
  const levels = filter.split('/');
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}

/**
 * Does `filter` match `topic` (MQTT 3.1.1 §4.7)? Wildcards at the first level do not match
 * topics beginning with '$'.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.charCodeAt(0) === 36 /* $ */ && (filter[0] === '#' || filter[0] === '+')) return false;
  // Walks both strings level by level without allocating: this runs for every publish.
  let f = 0;
  let t = 0;
  while (f < filter.length) {
    const fEnd = levelEnd(filter, f);
    const level = filter.slice(f, fEnd);
    if (level === '#') return true;
    if (t > topic.length) return false;
    const tEnd = levelEnd(topic, t);
    if (level !== '+' && (fEnd - f !== tEnd - t || !topic.startsWith(level, t))) return false;
    f = fEnd + 1;
    t = tEnd + 1;
  }
  return t > topic.length;
}

function levelEnd(text: string, from: number): number {
  const slash = text.indexOf('/', from);
  return slash === -1 ? text.length : slash;
}

/**
 * Is every topic that `inner` can match also matched by `outer`? Used to confine subscriptions:
 * a device may subscribe to `a/b/+` only if one of its allowed filters covers all of it.
 */
export function filterCovers(outer: string, inner: string): boolean {
  if (inner.startsWith('$') && (outer.startsWith('#') || outer.startsWith('+'))) return false;
  const o = outer.split('/');
  const n = inner.split('/');
  for (let i = 0; i < o.length; i++) {
    if (o[i] === '#') return true;
    if (i >= n.length) return false;
    if (n[i] === '#') return false;
    if (o[i] === '+') continue;
    if (n[i] === '+' || n[i] !== o[i]) return false;
  }
  return o.length === n.length;
}
