import { join } from 'node:path';
import { feedRoutes } from '../api/routes/feeds.js';
import type { DbPorts } from '../db/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { StatePorts } from '../state/wire.js';
import { FeedFiles } from './feed-files.fs.js';
import { SqliteFeedRepo } from './feed-repo.sqlite.js';
import { FeedService, type BufferChoice, type FeedServiceSettings } from './feed-service.js';
import { LocalFeedStore } from './feed-store.local.js';
import { ThreadFeedStore } from './feed-store.thread.js';
import { FlushRunner } from './flush-runner.js';
import { MemoryWriteBuffer } from './memory-buffer.js';
import { OfflineWriteBuffer } from './offline-write-buffer.js';
import { RedisWriteBuffer } from './write-buffer.redis.js';

export interface TimeseriesPorts {
  feeds: FeedService;
  flusher: FlushRunner;
}

type Ctx = Pick<ModuleContext, 'config' | 'paths' | 'log' | 'clock'> & DbPorts;

/** Feeds: files written by a worker thread, buffered in Redis (in memory while it is away). */
export function wireTimeseries(ctx: Ctx & StatePorts): WiredModule<TimeseriesPorts> {
  const { config, db, redis, clock } = ctx;
  const repo = new SqliteFeedRepo(db);
  const files = new ThreadFeedStore(feedsDir(ctx));
  const redisBuffer = new RedisWriteBuffer(() => redis.redis, ctx.keys);
  const memoryBuffer = new MemoryWriteBuffer(config.timeseries.memoryBufferPoints);
  const redisUp = () => redis.status().state === 'ready';
  const buffers: BufferChoice = {
    current: () => (redisUp() ? redisBuffer : memoryBuffer),
    all: () => (redisUp() ? [redisBuffer, memoryBuffer] : [memoryBuffer]),
    fallback: memoryBuffer,
  };
  const feeds = new FeedService(repo, files, buffers, clock, {
    ...feedSettings(ctx),
    maxBufferedPoints: config.timeseries.maxBufferedPoints,
  });
  const flusher = new FlushRunner(
    repo,
    files,
    buffers,
    clock,
    config.timeseries,
    ctx.log.child({ component: 'feed-flusher' }),
    () => ({ ...feeds.counters, memoryBuffered: memoryBuffer.held, memoryDropped: memoryBuffer.dropped }),
    feeds.backlog,
  );
  // Redis is RAM only: while it holds points the files have not taken, it must outlive hubd.
  ctx.redisServer.keepRunningWhile(() => flusher.unwrittenAtStop.buffered > 0);
  return {
    // The files stop after the flusher: its last write must finish first.
    components: [files, flusher],
    routes: feedRoutes(feeds, config.timezone),
    ports: { feeds, flusher },
  };
}

/** Feeds for the `hub` command: files on this thread, and a buffer that refuses points loudly. */
export function wireOfflineFeeds(ctx: Ctx): { feeds: FeedService } {
  const none = new OfflineWriteBuffer();
  const buffers: BufferChoice = { current: () => none, all: () => [], fallback: none };
  const store = new LocalFeedStore(new FeedFiles(feedsDir(ctx)));
  return { feeds: new FeedService(new SqliteFeedRepo(ctx.db), store, buffers, ctx.clock, feedSettings(ctx)) };
}

function feedsDir(ctx: Pick<ModuleContext, 'paths'>): string {
  return join(ctx.paths.dataDir, 'feeds');
}

function feedSettings({ config }: Pick<ModuleContext, 'config'>): FeedServiceSettings {
  return { maxFutureS: config.timeseries.maxFutureS, timeZone: config.timezone };
}
