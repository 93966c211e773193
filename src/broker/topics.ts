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
  if (topic.startsWith('$') && (filter.startsWith('#') || filter.startsWith('+'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
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
