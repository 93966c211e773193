// Bucket-edge blocks and rollup record pages kept across queries by the one owner of the feed
// files (the worker, ADR 007). A dashboard asks for "last year" every few seconds with its start
// moved by one slot; each ask needs the same ~720 blocks at bucket edges (ADR 003), so keeping
// them turns ~720 system calls into a handful. Only what cannot change by appending is kept:
// .dat blocks wholly inside the file, rollup pages wholly below the level's valid end. Whatever
// rewrites history (an overwrite, trim, clear, import, repair, rebuild, delete) forgets the feed.

/** What a feed's cached entries were read under; a reader that sees another drops them. */
export interface FeedIdentity {
  intervalS: number;
  startTimeS: number;
  /** The .dat's inode: a trim renames a new file into place. */
  fileId: number;
  /** Slots per cached block (the finest rollup bucket). */
  blockSlots: number;
  /** Each rollup level's first bucket ("600:2891,3600:481"): rebuilt files may start elsewhere. */
  rollups: string;
}

/** Per-entry cost beyond its bytes (typed array object, map slot), for the memory bound. */
const ENTRY_OVERHEAD_BYTES = 128;

export const DEFAULT_READ_CACHE_BYTES = 8 * 1024 * 1024;

/** One feed's cached blocks (by absolute block number) and record pages (by level, then page). */
export class FeedCacheEntry {
  readonly blocks = new Map<number, Float32Array>();
  readonly pages = new Map<number, Map<number, Uint8Array>>();
  /** The file's length when last seen: a shorter file was cut (repair), so nothing is trusted. */
  npoints = 0;
  bytes = 0;
  /** Forgotten or evicted: a session still holding it must not add to the cache's count. */
  detached = false;

  constructor(
    readonly identity: FeedIdentity,
    private readonly owner: ReadCache,
  ) {}

  block(n: number): Float32Array | undefined {
    return this.blocks.get(n);
  }

  keepBlock(n: number, values: Float32Array): void {
    if (this.detached || this.blocks.has(n)) return;
    this.blocks.set(n, values);
    this.owner.grew(this, values.byteLength + ENTRY_OVERHEAD_BYTES);
  }

  page(levelS: number, page: number): Uint8Array | undefined {
    return this.pages.get(levelS)?.get(page);
  }

  keepPage(levelS: number, page: number, bytes: Uint8Array): void {
    if (this.detached) return;
    let level = this.pages.get(levelS);
    if (!level) this.pages.set(levelS, (level = new Map()));
    if (level.has(page)) return;
    level.set(page, bytes);
    this.owner.grew(this, bytes.byteLength + ENTRY_OVERHEAD_BYTES);
  }

  /** Drops the oldest blocks until the entry holds at most `maxBytes` (pages are dropped last). */
  shrinkTo(maxBytes: number): number {
    let freed = 0;
    for (const [n, values] of this.blocks) {
      if (this.bytes - freed <= maxBytes) break;
      this.blocks.delete(n);
      freed += values.byteLength + ENTRY_OVERHEAD_BYTES;
    }
    if (this.bytes - freed > maxBytes) {
      freed = this.bytes;
      this.blocks.clear();
      this.pages.clear();
    }
    this.bytes -= freed;
    return freed;
  }
}

function sameIdentity(a: FeedIdentity, b: FeedIdentity): boolean {
  return (
    a.intervalS === b.intervalS &&
    a.startTimeS === b.startTimeS &&
    a.fileId === b.fileId &&
    a.blockSlots === b.blockSlots &&
    a.rollups === b.rollups
  );
}

/** All feeds' entries, least recently read first, within `maxBytes` (a feed gets at most half). */
export class ReadCache {
  private readonly feeds = new Map<number, FeedCacheEntry>();
  private heldBytes = 0;

  constructor(readonly maxBytes = DEFAULT_READ_CACHE_BYTES) {}

  get bytes(): number {
    return this.heldBytes;
  }

  /** The feed's entry for a read session, emptied first if its files are not the ones it knew. */
  open(id: number, identity: FeedIdentity, npoints: number): FeedCacheEntry | undefined {
    if (this.maxBytes <= 0) return undefined;
    let entry = this.feeds.get(id);
    if (entry && (!sameIdentity(entry.identity, identity) || npoints < entry.npoints)) {
      this.forget(id);
      entry = undefined;
    }
    if (entry) this.feeds.delete(id); // re-inserted: most recently read last
    entry ??= new FeedCacheEntry(identity, this);
    entry.npoints = npoints;
    this.feeds.set(id, entry);
    return entry;
  }

  /** Forgets everything cached for a feed: its history was rewritten or its files replaced. */
  forget(id: number): void {
    const entry = this.feeds.get(id);
    if (!entry) return;
    this.heldBytes -= entry.bytes;
    entry.detached = true;
    this.feeds.delete(id);
  }

  /** Forgets the blocks holding these absolute slots and the feed's record pages (refreshed). */
  forgetSlots(id: number, slots: readonly number[]): void {
    const entry = this.feeds.get(id);
    if (!entry || slots.length === 0) return;
    const k = entry.identity.blockSlots;
    for (const n of new Set(slots.map((s) => Math.floor(s / k)))) {
      const values = entry.blocks.get(n);
      if (!values) continue;
      entry.blocks.delete(n);
      entry.bytes -= values.byteLength + ENTRY_OVERHEAD_BYTES;
      this.heldBytes -= values.byteLength + ENTRY_OVERHEAD_BYTES;
    }
    for (const pages of entry.pages.values())
      for (const bytes of pages.values()) {
        entry.bytes -= bytes.byteLength + ENTRY_OVERHEAD_BYTES;
        this.heldBytes -= bytes.byteLength + ENTRY_OVERHEAD_BYTES;
      }
    entry.pages.clear();
  }

  clear(): void {
    for (const entry of this.feeds.values()) entry.detached = true;
    this.feeds.clear();
    this.heldBytes = 0;
  }

  /** Called by an entry that took `bytes` more: keeps the feed and the whole cache in bounds. */
  grew(entry: FeedCacheEntry, bytes: number): void {
    entry.bytes += bytes;
    this.heldBytes += bytes;
    if (entry.bytes > this.maxBytes / 2) this.heldBytes -= entry.shrinkTo(this.maxBytes / 2);
    for (const [id, other] of this.feeds) {
      if (this.heldBytes <= this.maxBytes) break;
      if (other === entry) continue;
      this.forget(id);
    }
  }
}
