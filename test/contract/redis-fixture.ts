import { Redis } from 'ioredis';
import { createKeys, type RedisKeys } from '../../src/state/keys.js';
import { startRedis } from '../helpers/redis-server.js';

/**
 * One real redis-server and client for a contract file, started on first use; each call gives a
 * fresh key prefix, so every test sees an empty store.
 */
export function lazyRedis(teardown: { add: (c: () => unknown) => void }): () => Promise<{
  redis: Redis;
  keys: RedisKeys;
}> {
  let shared: Promise<Redis> | undefined;
  let n = 0;
  return async () => {
    shared ??= (async () => {
      const server = await startRedis();
      teardown.add(() => server.stop());
      const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      teardown.add(() => client.quit());
      return client;
    })();
    return { redis: await shared, keys: createKeys(`c${++n}`) };
  };
}
