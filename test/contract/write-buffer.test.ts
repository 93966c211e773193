import { MemoryWriteBuffer } from '../../src/timeseries/memory-buffer.js';
import { RedisWriteBuffer } from '../../src/timeseries/write-buffer.redis.js';
import { useTeardown } from '../helpers/teardown.js';
import { lazyRedis } from './redis-fixture.js';
import { writeBufferContract } from './write-buffer.contract.js';

const teardown = useTeardown();
const redis = lazyRedis(teardown);

writeBufferContract('RedisWriteBuffer (real redis-server)', async () => {
  const { redis: client, keys } = await redis();
  return new RedisWriteBuffer(() => client, keys);
});
writeBufferContract('MemoryWriteBuffer', async () => new MemoryWriteBuffer(1_000_000));
