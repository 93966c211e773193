import type { Readable } from 'node:stream';

/** The persistence methods (aedes-persistence interface) that return a stream over the database. */
const STREAM_METHODS = [
  'createRetainedStream',
  'createRetainedStreamCombi',
  'outgoingStream',
  'streamWill',
  'getClientList',
] as const;

/**
 * Keeps the streams the persistence hands Aedes (LevelDB iterators underneath) so that stopping
 * ends them before the database closes. Aedes pipes a SUBSCRIBE's retained messages with no error
 * listener: an iterator still reading after close() ("Iterator is not open") threw out of hubd.
 */
export class PersistenceStreams {
  private readonly open = new Set<Readable>();
  private closing = false;

  constructor(private readonly onError: (err: Error) => void) {}

  install(persistence: object): void {
    const target = persistence as Record<string, unknown>;
    for (const name of STREAM_METHODS) {
      const method = target[name];
      if (typeof method !== 'function') continue;
      target[name] = (...args: unknown[]) => this.track(method.apply(persistence, args) as Readable);
    }
  }

  /** Ends every open stream (and any opened from now on); resolves when all have closed. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.open].map((stream) => {
        const closed = new Promise((resolve) => stream.once('close', resolve));
        stream.destroy();
        return closed;
      }),
    );
  }

  private track(stream: Readable): Readable {
    // A read failure is logged, not thrown out of the process (Aedes may not listen).
    stream.on('error', (err: Error) => {
      if (!this.closing) this.onError(err);
    });
    if (this.closing) return stream.destroy();
    this.open.add(stream);
    stream.once('close', () => this.open.delete(stream));
    return stream;
  }
}
