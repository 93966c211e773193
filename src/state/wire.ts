import type { ModuleContext, WiredModule } from '../module-context.js';
import { RedisSupervisor } from './embedded-redis.process.js';
import { writeHubInfo } from './hub-info.redis.js';
import { createKeys, type RedisKeys } from './keys.js';
import { RedisClient } from './redis-client.redis.js';

export interface StatePorts {
  redis: RedisClient;
  keys: RedisKeys;
  /** Told by the write-behind buffer whether it still holds points (then redis-server stays up). */
  redisServer: Pick<RedisSupervisor, 'keepRunningWhile'>;
}

/** Redis: the embedded redis-server (or the one configured) and the client everyone shares. */
export function wireState(ctx: ModuleContext): WiredModule<StatePorts> {
  const { config, paths, log, realClock } = ctx;
  const keys = createKeys(config.redis.keyPrefix);
  const redisServer = new RedisSupervisor(
    config.redis.url,
    paths.runDir,
    log.child({ component: 'redis-server' }),
    realClock,
  );
  const redis = new RedisClient(() => redisServer.url(), log.child({ component: 'redis' }), realClock);
  const facts = { version: ctx.version.version, pid: process.pid, startedAtMs: ctx.clock.nowMs() };
  redis.onReady((client) => writeHubInfo(client, keys, facts));
  return { components: [redisServer, redis], routes: [], ports: { redis, keys, redisServer } };
}
