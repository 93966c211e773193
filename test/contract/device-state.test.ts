import { RedisDeviceStateStore } from '../../src/devices/device-state.redis.js';
import { MemoryDeviceStateStore } from '../../src/devices/device-state.memory.js';
import { useTeardown } from '../helpers/teardown.js';
import { deviceStateContract } from './device-state.contract.js';
import { lazyRedis } from './redis-fixture.js';

const teardown = useTeardown();
const redis = lazyRedis(teardown);

deviceStateContract('RedisDeviceStateStore (real redis-server)', async () => {
  const { redis: client, keys } = await redis();
  return new RedisDeviceStateStore(() => client, keys);
});
deviceStateContract('MemoryDeviceStateStore', async () => new MemoryDeviceStateStore());
