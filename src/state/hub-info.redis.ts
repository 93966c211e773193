import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.js';

/** Facts for `hub status` (version, pid, start time), written whenever Redis (re)connects. */
export function writeHubInfo(
  client: Redis,
  keys: RedisKeys,
  facts: { version: string; pid: number; startedAtMs: number },
): Promise<unknown> {
  return client.hset(keys.hubInfo(), facts);
}
