/**
 * Every Redis key the hub uses is spelled here, as `<prefix>:<entity>:<id>[:<field>]`.
 * Capabilities add their builders to this object as they need keys.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** Hash of facts about the running hubd (version, start time), for `hub status`. */
  hubInfo(): string;
}

export function createKeys(prefix: string): RedisKeys {
  if (!/^[a-z0-9_-]{1,32}$/.test(prefix)) throw new Error(`invalid Redis key prefix "${prefix}"`);
  return {
    prefix,
    hubInfo: () => `${prefix}:hub:info`,
  };
}
