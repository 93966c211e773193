// Writes a backup archive: a gzipped ustar tar, header entry first, manifest last (its sha256s are
// taken as the files stream in, so each file is read once).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  buildManifest,
  HEADER_PATH,
  MANIFEST_PATH,
  type BackupHeader,
  type BackupManifest,
  type ManifestFile,
} from './manifest.js';
import { encodeTarHeader, endOfArchive, paddingBytes } from './tar-format.js';

export interface BackupEntry {
  /** The path inside the archive (see isBackupPath). */
  path: string;
  /** The file to copy in, read up to the size it has when it is opened. */
  file: string;
  /** A feed file may be deleted while the backup runs (its feed with it): skipped, not an error. */
  mayVanish?: boolean;
}

export interface WrittenBackup {
  manifest: BackupManifest;
  bytes: number;
}

const CHUNK_BYTES = 256 * 1024;
const FILE_MODE = 0o600;

/**
 * Writes the archive to `outFile` (0600: it holds the hub's keys and password hashes), by way of
 * `<outFile>.partial` renamed at the end, so a file of that name is always a whole backup.
 */
export async function writeBackupFile(
  header: BackupHeader,
  entries: readonly BackupEntry[],
  outFile: string,
): Promise<WrittenBackup> {
  const partial = `${outFile}.partial`;
  const files: ManifestFile[] = [];
  const mtimeS = Math.floor(header.createdAtMs / 1000);
  async function* archive(): AsyncGenerator<Buffer> {
    yield* jsonEntry(HEADER_PATH, header, mtimeS);
    for (const entry of entries) {
      const listed = yield* fileEntry(entry, mtimeS);
      if (listed) files.push(listed);
    }
    yield* jsonEntry(MANIFEST_PATH, buildManifest(header, files), mtimeS);
    yield endOfArchive();
  }
  try {
    await pipeline(
      archive(),
      createGzip({ level: 6 }),
      createWriteStream(partial, { mode: FILE_MODE, flags: 'w' }),
    );
    const handle = await open(partial, 'r');
    await handle.sync().finally(() => handle.close());
    await rename(partial, outFile);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { manifest: buildManifest(header, files), bytes: (await stat(outFile)).size };
}

function* jsonEntry(path: string, value: unknown, mtimeS: number): Generator<Buffer> {
  const data = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
  yield encodeTarHeader({ path, type: 'file', bytes: data.length, mode: FILE_MODE, mtimeS });
  yield data;
  yield Buffer.alloc(paddingBytes(data.length));
}

async function* fileEntry(
  entry: BackupEntry,
  mtimeS: number,
): AsyncGenerator<Buffer, ManifestFile | undefined> {
  let handle;
  try {
    handle = await open(entry.file, 'r');
  } catch (err) {
    if (entry.mayVanish && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    // The size when opened: bytes appended later belong to the next backup.
    const bytes = (await handle.stat()).size;
    yield encodeTarHeader({ path: entry.path, type: 'file', bytes, mode: FILE_MODE, mtimeS });
    const hash = createHash('sha256');
    let done = 0;
    while (done < bytes) {
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, bytes - done));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, done);
      if (bytesRead === 0) throw new Error(`${entry.file} shrank while it was being backed up`);
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      done += bytesRead;
      yield chunk;
    }
    yield Buffer.alloc(paddingBytes(bytes));
    return { path: entry.path, bytes, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}
