import { parentPort, workerData } from 'node:worker_threads';
import { FeedFiles } from './feed-files.fs.js';
import { lastValueOf, querySeries, readWith, valueNear } from './feed-queries.js';
import { writeBuffered } from './flush-write.js';
import {
  packSamples,
  serializeError,
  type FeedStoreAnswer,
  type FeedStoreReady,
  type FeedStoreRequest,
} from './feed-store-messages.js';
import type { Sample } from './read-query.js';
import { DEFAULT_READ_CACHE_BYTES } from './read-cache.js';
import { warmReadPath } from './read-warmup.fs.js';

// The worker thread that owns hubd's feed files: one operation at a time, in arrival order, so a
// read never sees half a write and an fdatasync blocks this thread, not the event loop.

const port = parentPort!;
const { dir, readCacheBytes } = workerData as { dir: string; readCacheBytes?: number };
// This thread does every write of the files, so it may keep read blocks across queries.
const files = new FeedFiles(dir, undefined, { readCacheBytes: readCacheBytes ?? DEFAULT_READ_CACHE_BYTES });
try {
  warmReadPath(); // only a speed-up: a full or read-only tmp must not take the feed files down
} catch {
  // the first reads pay for the cold path instead
}
port.postMessage({ ready: true } satisfies FeedStoreReady);

port.on('message', (req: FeedStoreRequest) => {
  let answer: FeedStoreAnswer;
  const transfer: ArrayBuffer[] = [];
  try {
    let value = runNow(req);
    if (req.op === 'query') value = packSamples(value as Sample[]);
    if (value instanceof Uint8Array || value instanceof Float64Array)
      transfer.push(value.buffer as ArrayBuffer);
    answer = { seq: req.seq, ok: true, value };
  } catch (err) {
    answer = { seq: req.seq, ok: false, error: serializeError(err) };
  }
  port.postMessage(answer, transfer);
});

function runNow(req: FeedStoreRequest): unknown {
  const a = req.args as [never, never, never, never];
  const f = files;
  switch (req.op) {
    case 'writePoints':
      return writeBuffered(f, a[0], a[1]);
    case 'delete':
      return f.delete(a[0]);
    case 'clear':
      return f.clear(a[0]);
    case 'trim':
      return f.trim(a[0], a[1]);
    case 'persistRollups':
      return f.persistRollups(a[0], a[1]);
    case 'rebuildRollups':
      return f.rebuildRollups(a[0]);
    case 'repair':
      return f.repair(a[0]);
    case 'importData':
      return f.importData(a[0], a[1], a[2], a[3]);
    case 'exportBytes':
      return f.exportBytes(a[0], a[1]);
    case 'query':
      return readWith(f, a[0], (r) => querySeries(r, a[1], a[2]));
    case 'lastValue':
      return readWith(f, a[0], (r) => lastValueOf(r, a[1]));
    case 'valueAt':
      return readWith(f, a[0], (r) => valueNear(r, a[1], a[2]));
    case 'dropReadCache':
      return f.dropReadCache();
  }
}
