// Unpacks a backup into a staging folder, checking as it goes: the header entry first (a foreign
// or newer file is refused before anything is written), only the paths a backup may hold, each
// file's size and sha256 against the manifest that ends the archive.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import {
  BackupRefused,
  HEADER_PATH,
  isBackupPath,
  MANIFEST_PATH,
  MAX_ENTRIES,
  parseHeader,
  parseManifest,
  verifyManifest,
  type BackupHeader,
  type BackupManifest,
} from './manifest.js';
import { BLOCK_BYTES, paddingBytes, parseTarHeader, type TarHeader } from './tar-format.js';

/** Most bytes of the header or manifest entry (a manifest of 100 000 files is about 15 MB). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export interface ExtractedBackup {
  header: BackupHeader;
  manifest: BackupManifest;
}

/** Reads exact byte counts from a stream of chunks. */
class ChunkReader {
  private chunks: Buffer[] = [];
  private held = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Up to `max` bytes (fewer only at the end of the stream); at least one unless at the end. */
  async readUpTo(max: number): Promise<Buffer> {
    while (this.held === 0) {
      const next = await this.source.next();
      if (next.done) return Buffer.alloc(0);
      this.chunks.push(next.value);
      this.held += next.value.length;
    }
    const first = this.chunks[0]!;
    const take = first.subarray(0, Math.min(max, first.length));
    if (take.length === first.length) this.chunks.shift();
    else this.chunks[0] = first.subarray(take.length);
    this.held -= take.length;
    return take;
  }

  async readExactly(bytes: number, what: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < bytes) {
      const part = await this.readUpTo(bytes - got);
      if (part.length === 0) throw new BackupRefused(`it ends in the middle of ${what} (cut short?)`);
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts, bytes);
  }
}

export async function extractBackup(
  file: string,
  stagingDir: string,
  hubVersion: string,
): Promise<ExtractedBackup> {
  const gunzip = createGunzip();
  const source = createReadStream(file);
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  const reader = new ChunkReader(gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  try {
    return await readArchive(reader, stagingDir, hubVersion);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
      throw new BackupRefused(`it is not a gzip file, or its compressed data is damaged`);
    if (err instanceof BackupRefused || code === 'ENOENT' || code === 'EACCES') throw err;
    // The tar structure itself (a header's checksum, a link entry): damaged or not ours.
    if (err instanceof Error && !code) throw new BackupRefused(`it is damaged: ${err.message}`);
    throw err;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

async function readArchive(
  reader: ChunkReader,
  stagingDir: string,
  hubVersion: string,
): Promise<ExtractedBackup> {
  const notOurs = `it does not begin with ${HEADER_PATH}: not an Energy Hub backup`;
  const first = await nextHeader(reader).catch((err: unknown) => {
    if (err instanceof Error && !(err as NodeJS.ErrnoException).code) throw new BackupRefused(notOurs);
    throw err;
  });
  if (first === 'end' || first.path !== HEADER_PATH || first.type !== 'file' || first.bytes > MAX_JSON_BYTES)
    throw new BackupRefused(notOurs);
  const header = parseHeader((await readData(reader, first)).toString('utf8'), hubVersion);
  const found = new Map<string, { bytes: number; sha256: string }>();
  for (;;) {
    const entry = await nextHeader(reader);
    if (entry === 'end') throw new BackupRefused(`it has no ${MANIFEST_PATH} (cut short?)`);
    if (entry.type === 'directory') continue;
    if (entry.path === MANIFEST_PATH) {
      if (entry.bytes > MAX_JSON_BYTES) throw new BackupRefused(`its ${MANIFEST_PATH} is too large`);
      const manifest = parseManifest((await readData(reader, entry)).toString('utf8'));
      if ((await nextHeader(reader)) !== 'end')
        throw new BackupRefused(`it holds entries after ${MANIFEST_PATH}`);
      const problems = verifyManifest(header, manifest, found);
      if (problems.length) throw new BackupRefused(problems.slice(0, 5).join('; '));
      return { header, manifest };
    }
    if (!isBackupPath(entry.path)) throw new BackupRefused(`it holds "${entry.path}", which no backup holds`);
    if (found.has(entry.path)) throw new BackupRefused(`it holds ${entry.path} twice`);
    if (found.size >= MAX_ENTRIES) throw new BackupRefused(`it holds more than ${MAX_ENTRIES} files`);
    found.set(entry.path, { bytes: entry.bytes, sha256: await writeEntry(reader, entry, stagingDir) });
  }
}

async function nextHeader(reader: ChunkReader): Promise<TarHeader | 'end'> {
  return parseTarHeader(await reader.readExactly(BLOCK_BYTES, 'a tar header'));
}

async function readData(reader: ChunkReader, entry: TarHeader): Promise<Buffer> {
  const data = await reader.readExactly(entry.bytes, entry.path);
  await reader.readExactly(paddingBytes(entry.bytes), entry.path);
  return data;
}

/** Writes one file into the staging folder (0600, synced) and answers the sha256 of its bytes. */
async function writeEntry(reader: ChunkReader, entry: TarHeader, stagingDir: string): Promise<string> {
  const target = join(stagingDir, entry.path);
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const handle = await open(target, 'wx', 0o600);
  const hash = createHash('sha256');
  try {
    let left = entry.bytes;
    while (left > 0) {
      const part = await reader.readUpTo(Math.min(left, CHUNK_BYTES));
      if (part.length === 0) throw new BackupRefused(`it ends in the middle of ${entry.path} (cut short?)`);
      hash.update(part);
      await handle.write(part);
      left -= part.length;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await reader.readExactly(paddingBytes(entry.bytes), entry.path);
  return hash.digest('hex');
}
