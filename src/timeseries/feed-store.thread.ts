import { Worker } from 'node:worker_threads';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import { TransientStartError } from '../shared/start-failure.js';
import { FeedFiles } from './feed-files.fs.js';
import {
  deserializeError,
  unpackSamples,
  type FeedStoreAnswer,
  type FeedStoreOp,
  type FeedStoreReady,
  type FeedStoreRequest,
} from './feed-store-messages.js';
import type { BufferedPoint, FeedStore, LastValue, WriteOutcome } from './ports.js';
import type { ReadQuery, Sample } from './read-query.js';

// The worker's own file: .ts when run from source (tsx), .js once built.
const WORKER_URL = new URL(
  `./feed-store-thread.worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * hubd's feed store: data writes and reads run on a worker thread that owns the files (ADR 007);
 * metadata (exists, .meta, a new feed) is read or made here. Started before the flusher and
 * stopped after it, so the flusher's last write is done before the worker ends.
 */
export class ThreadFeedStore implements FeedStore, Component {
  readonly name = 'feed-files';
  /** A worker that cannot load is tried again with backoff (the hub's retry), not left down. */
  readonly onStartFailure = 'retry';
  private readonly meta: FeedFiles;
  private worker: Worker | undefined;
  /** Settles when the current worker has warmed its read path and takes operations. */
  private ready: Promise<void> = Promise.resolve();
  private warm = false;
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private seq = 0;
  private closed = false;
  private restarts = 0;
  private lastError: string | undefined;

  constructor(
    readonly dir: string,
    private readonly workerUrl: URL = WORKER_URL,
    /** Bytes of read blocks the worker keeps across queries (read-cache.ts); 0 keeps none. */
    private readonly readCacheBytes?: number,
  ) {
    this.meta = new FeedFiles(dir);
  }

  /** Resolves once the worker is up with a warm read path; rejects (feed-files down) if it cannot load. */
  async start(): Promise<void> {
    this.closed = false;
    this.spawn();
    // A worker that could not load may next time (memory, a thread); the hub retries it.
    await this.ready.catch((err: unknown) => Promise.reject(new TransientStartError(err)));
  }

  /** Waits for every operation sent (the flusher's last write among them), then ends the worker. */
  async stop(): Promise<void> {
    this.closed = true;
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  status(): ComponentStatus {
    const detail = {
      dir: this.dir,
      pendingOperations: this.pending.size,
      workerRestarts: this.restarts,
      ...(this.lastError && { lastError: this.lastError }),
    };
    if (this.closed) return { state: 'stopped', detail };
    if (!this.worker) return { state: 'down', detail };
    return { state: this.warm ? 'ready' : 'starting', detail };
  }

  exists(id: number): boolean {
    return this.meta.exists(id);
  }
  directoryProblem(): string | undefined {
    return this.meta.directoryProblem();
  }
  create(id: number, intervalS: number): void {
    this.meta.create(id, intervalS);
  }
  read(id: number) {
    return this.meta.read(id);
  }
  partialBytes(id: number): number {
    return this.meta.partialBytes(id);
  }

  writePoints(id: number, points: readonly BufferedPoint[]) {
    return this.call<WriteOutcome>('writePoints', [id, points]);
  }
  delete(id: number) {
    return this.call<void>('delete', [id]);
  }
  clear(id: number) {
    return this.call<void>('clear', [id]);
  }
  trim(id: number, startTimeS: number) {
    return this.call<void>('trim', [id, startTimeS]);
  }
  persistRollups(id: number, force = true) {
    return this.call<void>('persistRollups', [id, force]);
  }
  rebuildRollups(id: number) {
    return this.call<void>('rebuildRollups', [id]);
  }
  repair(id: number) {
    return this.call<{ truncatedBytes: number }>('repair', [id]);
  }
  importData(
    id: number,
    meta: { intervalS: number; startTimeS: number },
    sourceDat: string,
    npoints: number,
  ) {
    return this.call<void>('importData', [id, meta, sourceDat, npoints]);
  }
  exportBytes(id: number, fromByte: number) {
    return this.call<Uint8Array>('exportBytes', [id, fromByte]);
  }
  async query(id: number, buffered: readonly BufferedPoint[], query: ReadQuery): Promise<Sample[]> {
    return unpackSamples(await this.call<Float64Array>('query', [id, buffered, query]));
  }
  lastValue(id: number, buffered: readonly BufferedPoint[]) {
    return this.call<LastValue | null>('lastValue', [id, buffered]);
  }
  valueAt(id: number, buffered: readonly BufferedPoint[], tsS: number) {
    return this.call<number | null>('valueAt', [id, buffered, tsS]);
  }

  /** Forgets the worker's cached read blocks, so the next read is a cold one (bench:timeseries). */
  dropReadCache() {
    return this.call<void>('dropReadCache', []);
  }

  private call<T>(op: FeedStoreOp, args: unknown[]): Promise<T> {
    if (this.closed && !this.worker)
      return Promise.reject(
        new Error(
          this.lastError
            ? `the feed-files worker is not running (${this.lastError})`
            : 'the feed files are closed (hubd is stopping)',
        ),
      );
    const worker = this.worker ?? this.spawn();
    const seq = ++this.seq;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ seq, op, args } satisfies FeedStoreRequest);
    });
    this.inFlight.add(answer);
    const settled = () => void this.inFlight.delete(answer);
    answer.then(settled, settled);
    return answer;
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    this.warm = false;
    const worker = new Worker(this.workerUrl, {
      workerData: { dir: this.dir, readCacheBytes: this.readCacheBytes },
    });
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => undefined); // a failed start is reported by start() and status()
    worker.on('message', (answer: FeedStoreAnswer | FeedStoreReady) => {
      if ('ready' in answer) {
        this.warm = true;
        return markReady();
      }
      const p = this.pending.get(answer.seq);
      if (!p) return;
      this.pending.delete(answer.seq);
      if (answer.ok) p.resolve(answer.value);
      else p.reject(deserializeError(answer.error));
    });
    // A crashed worker fails what it held (the points stay buffered) and is made again on demand.
    const fail = (err: Error) => {
      failReady(err);
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.lastError = describeError(err);
      if (!this.closed) this.restarts++;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the feed-files worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
