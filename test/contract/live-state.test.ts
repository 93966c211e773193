import { RedisLiveState } from '../../src/ingest/live-state.redis.js';
import { MemoryLiveState } from '../../src/ingest/live-state.memory.js';
import { useTeardown } from '../helpers/teardown.js';
import { liveStateContract } from './live-state.contract.js';
import { lazyRedis } from './redis-fixture.js';

const teardown = useTeardown();
const redis = lazyRedis(teardown);

liveStateContract('RedisLiveState (real redis-server)', async () => {
  const { redis: client, keys } = await redis();
  return new RedisLiveState(() => client, keys);
});
liveStateContract('MemoryLiveState', async () => new MemoryLiveState());
