import { write as fsWrite } from 'node:fs';
import { Socket } from 'node:net';
import type { Clock } from './clock.js';
import type { Component, ComponentStatus } from './component.js';

/** Writes one chunk and calls back once the system took it (or refused it). */
export interface ChunkWriter {
  write(chunk: Buffer, done: (err?: Error | null) => void): void;
}

const MAX_CHUNK_BYTES = 64 * 1024;
const EAGAIN_RETRY_MS = 100;
/** How long a failed write keeps the log 'degraded' (so `hub status` shows it). */
export const LOG_ERROR_RECENT_MS = 5 * 60_000;

/**
 * Where hubd's log lines go: a bounded queue in front of stdout, one write in flight at a time.
 * Logging must never stop the hub, so nothing here blocks or throws: a line that does not fit the
 * queue (stdout not read) is dropped, a write the system refuses (ENOSPC, EPIPE, EIO) drops its
 * lines; both are counted and shown in /readyz under "log", which is 'degraded' for 5 minutes
 * after a failed write. A full log disk does not make the hub not ready: it still serves.
 *
 * Why not pino's own destination: its sync mode (the default) blocks the event loop while a pipe
 * is full, so /healthz stops answering; its async mode and process.stdout re-emit write errors
 * such as ENOSPC as 'error' events, which end the process, and flush synchronously at exit.
 */
export class LogSink implements Component {
  readonly name = 'log';
  readonly neededForReady = false;
  readonly counters = { linesWritten: 0, linesDropped: 0, writeErrors: 0 };
  private lastError: string | undefined;
  private lastErrorAtMs = -Infinity;
  private queue: string[] = [];
  private queuedBytes = 0;
  private inFlight = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly writer: ChunkWriter,
    private readonly clock: Clock,
    private readonly maxQueuedBytes = 1 << 20,
  ) {}

  /** pino's DestinationStream: one JSON line. */
  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.queuedBytes + bytes > this.maxQueuedBytes) {
      this.counters.linesDropped++;
      return;
    }
    this.queue.push(line);
    this.queuedBytes += bytes;
    if (!this.inFlight) this.writeNext();
  }

  /** Resolves true once everything queued is written, false if that takes longer than `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const cancel = this.clock.after(timeoutMs, () => resolve(false));
      this.idle.push(() => {
        cancel();
        resolve(true);
      });
    });
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  status(): ComponentStatus {
    const detail = { ...this.counters, queuedBytes: this.queuedBytes, lastError: this.lastError ?? null };
    const recent = this.clock.nowMs() - this.lastErrorAtMs < LOG_ERROR_RECENT_MS;
    return { state: recent ? 'degraded' : 'ready', detail };
  }

  private writeNext(): void {
    if (this.queue.length === 0) {
      this.inFlight = false;
      for (const wake of this.idle.splice(0)) wake();
      return;
    }
    this.inFlight = true;
    let lines = 0;
    let bytes = 0;
    while (lines < this.queue.length && (lines === 0 || bytes < MAX_CHUNK_BYTES))
      bytes += Buffer.byteLength(this.queue[lines++]!);
    const batch = this.queue.slice(0, lines);
    this.writer.write(Buffer.from(batch.join('')), (err) => {
      this.queue.splice(0, lines);
      this.queuedBytes -= bytes;
      if (err) {
        this.counters.writeErrors++;
        this.counters.linesDropped += lines;
        this.lastError = (err as NodeJS.ErrnoException).code ?? err.message;
        this.lastErrorAtMs = this.clock.nowMs();
      } else {
        this.counters.linesWritten += lines;
      }
      this.writeNext();
    });
  }
}

/**
 * A writer for a file descriptor (stdout). Pipes and sockets get a non-blocking libuv stream, so a
 * reader that stops reading holds one write, not the event loop or a thread-pool thread; files,
 * terminals and devices such as /dev/full are written with fs.write, which fails at once (ENOSPC).
 */
export function openFdWriter(fd: number, clock: Clock): ChunkWriter {
  let socket: Socket;
  try {
    socket = new Socket({ fd, readable: false, writable: true });
  } catch {
    return { write: (chunk, done) => writeAll(clock, fd, chunk, done) };
  }
  socket.unref();
  socket.on('error', () => undefined); // each failed write reports its own error to its callback
  return { write: (chunk, done) => void socket.write(chunk, (err) => done(err)) };
}

/** Writes the whole chunk; a descriptor someone else made non-blocking may say EAGAIN: try again soon. */
function writeAll(clock: Clock, fd: number, chunk: Buffer, done: (err?: Error | null) => void): void {
  fsWrite(fd, chunk, 0, chunk.length, null, (err, written) => {
    if (err?.code === 'EAGAIN')
      return void clock.after(EAGAIN_RETRY_MS, () => writeAll(clock, fd, chunk, done));
    if (err || written >= chunk.length) return done(err);
    writeAll(clock, fd, chunk.subarray(written), done);
  });
}
