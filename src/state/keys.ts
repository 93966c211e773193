/**
 * Every Redis key the hub uses is spelled here, as `<prefix>:<entity>:<id>[:<field>]`.
 * Capabilities add their builders to this object as they need keys.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** Hash of facts about the running hubd (version, start time), for `hub status`. */
  hubInfo(): string;
  /** List of a feed's points accepted but not yet written to its files (write-behind). */
  feedBuffer(feedId: number): string;
  /** Set of feed ids whose buffer holds points. */
  bufferedFeeds(): string;
  /** Hash: input id → "timeS,value" of its last value. */
  inputsLast(): string;
  /** Hash: feed id → "timeS,value" of the last value a process or post gave it (arrival time). */
  feedsLast(): string;
  /** Hash: process state key (e.g. "whacc:12") → "timeS,value". */
  processState(): string;
  /** Hash: device id → JSON of its DeviceState (devices/driver.ts). */
  deviceStates(): string;
  /** Hash: IPv4 address → JSON of a pending pairing request. */
  pairingRequests(): string;
  /** String: JSON of the pairing window (open until), with an expiry. */
  pairingWindow(): string;
}

export function createKeys(prefix: string): RedisKeys {
  if (!/^[a-z0-9_-]{1,32}$/.test(prefix)) throw new Error(`invalid Redis key prefix "${prefix}"`);
  return {
    prefix,
    hubInfo: () => `${prefix}:hub:info`,
    feedBuffer: (feedId) => `${prefix}:feed:${feedId}:buffer`,
    bufferedFeeds: () => `${prefix}:feeds:buffered`,
    inputsLast: () => `${prefix}:inputs:last`,
    feedsLast: () => `${prefix}:feeds:last`,
    processState: () => `${prefix}:process:state`,
    deviceStates: () => `${prefix}:devices:state`,
    pairingRequests: () => `${prefix}:pairing:requests`,
    pairingWindow: () => `${prefix}:pairing:window`,
  };
}
