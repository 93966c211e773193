// bench:timeseries, part 2 — event-loop delay while the flusher writes 200 feeds to a disk whose
// fsync takes 20 ms: the synchronous path (feed files on the main thread, as before ADR 007) as
// the baseline, against the worker thread, on the same slow disk in the same run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/shared/clock.js';
import { summarizeDelay } from '../../src/shared/event-loop-delay.js';
import type { Logger } from '../../src/shared/logger.js';
import { FeedFiles } from '../../src/timeseries/feed-files.fs.js';
import { LocalFeedStore } from '../../src/timeseries/feed-store.local.js';
import { ThreadFeedStore } from '../../src/timeseries/feed-store.thread.js';
import { FeedService } from '../../src/timeseries/feed-service.js';
import { FlushRunner } from '../../src/timeseries/flush-runner.js';
import { MemoryWriteBuffer } from '../../src/timeseries/memory-buffer.js';
import type { FeedRepo, FeedStore, WriteBuffer } from '../../src/timeseries/ports.js';

const FEEDS = 200;
const FSYNC_DELAY_MS = 20;
const FUSE_SCRIPT = fileURLToPath(new URL('./slow-fsync-fs.py', import.meta.url));

type Emit = (metric: string, fields: Record<string, number | string | boolean>) => void;

/** Why device-mapper's delay target cannot be used here, or undefined if it could. */
function deviceMapperProblem(): string | undefined {
  if (!existsSync('/dev/mapper/control')) return 'no /dev/mapper/control';
  const targets = spawnSync('dmsetup', ['targets'], { encoding: 'utf8' });
  if (targets.status !== 0) return `dmsetup targets failed: ${targets.stderr.trim().split('\n')[0]}`;
  return targets.stdout.includes('delay') ? undefined : 'the kernel has no dm-delay target';
}

const mounted = (mountPoint: string) => readFileSync('/proc/mounts', 'utf8').includes(` ${mountPoint} `);

/** A pass-through FUSE mount whose fsync sleeps first; undefined (with why) if it cannot be made. */
async function mountSlowDisk(root: string): Promise<{ dir: string; unmount: () => void } | string> {
  const backing = join(root, 'backing');
  const dir = join(root, 'slow');
  mkdirSync(backing);
  mkdirSync(dir);
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  const child = spawn('/usr/bin/python3', [FUSE_SCRIPT, backing, dir, String(FSYNC_DELAY_MS)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const unmount = () => {
    if (mounted(dir)) spawnSync('umount', [dir]);
    child.kill('SIGKILL');
  };
  process.once('exit', unmount); // also when the bench dies half-way
  for (let waitedMs = 0; waitedMs < 5000 && !mounted(dir); waitedMs += 50) {
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  if (mounted(dir)) return { dir, unmount };
  unmount();
  return `the FUSE mount failed (apt-get install python3-fusepy): ${stderr.trim().split('\n').pop() ?? ''}`;
}

async function flushOnce(
  store: FeedStore,
  repo: FeedRepo,
  quiet: Logger,
): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; flushMs: number }> {
  const clock = new ManualClock(1_790_000_000_000);
  const memory = new MemoryWriteBuffer(100_000);
  // hubd's buffer is Redis: each call answers after a turn of the event loop. Without that turn a
  // synchronous flush is one long loop iteration, which monitorEventLoopDelay does not see.
  const viaLoop: WriteBuffer = {
    append: (id, points) => memory.append(id, points),
    peek: async (id) => (await setImmediate(), memory.peek(id)),
    feedsWithPoints: async () => (await setImmediate(), memory.feedsWithPoints()),
    length: (id) => memory.length(id),
    remove: async (id, count) => (await setImmediate(), memory.remove(id, count)),
    discard: (id) => memory.discard(id),
  };
  const buffers = { current: () => viaLoop, all: () => [viaLoop], fallback: memory };
  const feeds = new FeedService(repo, store, buffers, clock, { maxFutureS: 86_400, timeZone: 'UTC' });
  const flusher = new FlushRunner(repo, store, buffers, clock, { flushIntervalS: 60 }, quiet);
  const ids = Array.from(
    { length: FEEDS },
    (_, i) => feeds.create({ ownerId: 1, name: `f${i}`, intervalS: 10 }).id,
  );
  const post = async (fromS: number) => {
    for (const id of ids)
      await feeds.post(
        id,
        Array.from({ length: 6 }, (_, k) => ({ tsS: fromS + k * 10, value: k })),
      );
  };
  await post(1_789_999_000);
  await flusher.flush(); // first write of each feed also sets its start time (meta + dir fsync)
  await post(1_789_999_060);
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  await flusher.flush();
  const flushMs = performance.now() - t0;
  // A loop blocked to the end of the flush records its late sample only once it turns again.
  await sleep(5);
  h.disable();
  return { ...summarizeDelay(h), flushMs: Math.round(flushMs) };
}

export async function benchFlushEventLoop(
  emit: Emit,
  quiet: Logger,
  makeRepo: () => FeedRepo,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hub-bench-slow-'));
  const dm = deviceMapperProblem();
  const disk = await mountSlowDisk(root);
  try {
    if (typeof disk === 'string') {
      emit('flush_200_feeds_event_loop_delay_ms', { skipped: disk, device_mapper: dm ?? 'available' });
      return;
    }
    const slowDisk = `FUSE pass-through, fsync and fdatasync +${FSYNC_DELAY_MS} ms${dm ? ` (device-mapper delay not used: ${dm})` : ''}`;
    const baseline = await flushOnce(
      new LocalFeedStore(new FeedFiles(join(disk.dir, 'sync'))),
      makeRepo(),
      quiet,
    );
    const thread = new ThreadFeedStore(join(disk.dir, 'worker'));
    await thread.start();
    let worker;
    try {
      worker = await flushOnce(thread, makeRepo(), quiet);
    } finally {
      await thread.stop();
    }
    emit('flush_200_feeds_event_loop_delay_ms', {
      slow_disk: slowDisk,
      engine_worker_p50: worker.p50Ms,
      engine_worker_p99: worker.p99Ms,
      engine_worker_max: worker.maxMs,
      engine_worker_flush_ms: worker.flushMs,
      baseline_main_thread_p50: baseline.p50Ms,
      baseline_main_thread_p99: baseline.p99Ms,
      baseline_main_thread_max: baseline.maxMs,
      baseline_main_thread_flush_ms: baseline.flushMs,
      target_p99: 10,
    });
  } finally {
    if (typeof disk !== 'string') disk.unmount();
    rmSync(root, { recursive: true, force: true });
  }
}
