import type { Redis } from 'ioredis';
import type { RedisKeys } from '../state/keys.js';
import { decodePoint, encodePoint } from './buffer-codec.js';
import type { BufferedPoint, WriteBuffer } from './ports.js';

// Trim what was written and forget the feed if nothing new arrived meanwhile, atomically.
const REMOVE_SCRIPT = `
redis.call('LTRIM', KEYS[1], tonumber(ARGV[1]), -1)
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return 1`;

/** The write-behind buffer in Redis: a list per feed and a set of feeds with points. */
export class RedisWriteBuffer implements WriteBuffer {
  constructor(
    private readonly redis: () => Redis,
    private readonly keys: RedisKeys,
  ) {}

  async append(feedId: number, points: readonly BufferedPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.redis()
      .multi()
      .rpush(this.keys.feedBuffer(feedId), ...points.map(encodePoint))
      .sadd(this.keys.bufferedFeeds(), String(feedId))
      .exec()
      .then(throwOnError);
  }

  async peek(feedId: number): Promise<BufferedPoint[]> {
    const items = await this.redis().lrange(this.keys.feedBuffer(feedId), 0, -1);
    return items.map(decodePoint).filter((p): p is BufferedPoint => p !== undefined);
  }

  async feedsWithPoints(): Promise<number[]> {
    return (await this.redis().smembers(this.keys.bufferedFeeds())).map(Number).filter(Number.isInteger);
  }

  async length(feedId: number): Promise<number> {
    return this.redis().llen(this.keys.feedBuffer(feedId));
  }

  async remove(feedId: number, count: number): Promise<void> {
    await this.redis().eval(
      REMOVE_SCRIPT,
      2,
      this.keys.feedBuffer(feedId),
      this.keys.bufferedFeeds(),
      count,
      feedId,
    );
  }

  async discard(feedId: number): Promise<void> {
    await this.redis()
      .multi()
      .del(this.keys.feedBuffer(feedId))
      .srem(this.keys.bufferedFeeds(), String(feedId))
      .exec();
  }
}

function throwOnError(results: [Error | null, unknown][] | null): void {
  if (!results) throw new Error('Redis transaction aborted');
  for (const [err] of results) if (err) throw err;
}
