// hubd's side of the inbox (user hub): it writes a bundle, then the request that names it, and
// reads the status hub-updater (root) writes. The request is written last, by a rename, so
// hub-updater never sees a request whose bundle is incomplete.
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  createWriteStream,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../shared/errors.js';
import { fsyncPath, writeFileDurably } from './durable-file.fs.js';
import {
  inboxPaths,
  updateRequestSchema,
  updateStatusSchema,
  type UpdateRequest,
  type UpdateStatus,
} from './update-inbox.js';

/** A release with its Node is about 60 MB; anything near this is not a bundle. */
export const MAX_BUNDLE_BYTES = 1024 ** 3;

export class BundleTooLarge extends UserError {
  constructor(readonly maxBytes: number) {
    super(`the bundle is larger than ${maxBytes} bytes; nothing was written`, 413, 'too_large');
    this.name = 'BundleTooLarge';
  }
}

export class InboxDiskFull extends UserError {
  constructor(dir: string) {
    super(
      `the disk holding ${dir} is full; the bundle was not kept (free some space and try again)`,
      507,
      'disk_full',
    );
    this.name = 'InboxDiskFull';
  }
}

export interface UpdateInbox {
  readonly paths: ReturnType<typeof inboxPaths>;
  /** Throws a UserError when this user cannot write the inbox (the CLI run by someone else). */
  checkWritable(): void;
  /**
   * Streams a bundle into `<id>.bundle.part`, then renames it to `<id>.bundle` (both fsync'ed).
   * On any failure the part is removed. Returns the bundle's length.
   */
  receiveBundle(id: string, from: Readable, onBytes?: (receivedBytes: number) => void): Promise<number>;
  /** request.json, atomically: hub-updater starts on its appearance. */
  writeRequest(request: UpdateRequest): void;
  /** The request hub-updater has not taken yet, or null. */
  readRequest(): UpdateRequest | null;
  /** hub-updater's last status, or null when there is none (or it is not a valid one). */
  readStatus(): UpdateStatus | null;
}

export function openInbox(appDir: string, maxBytes = MAX_BUNDLE_BYTES): UpdateInbox {
  const paths = inboxPaths(appDir);
  const makeDir = () => mkdirSync(paths.inboxDir, { recursive: true, mode: 0o700 });
  return {
    paths,
    checkWritable() {
      try {
        makeDir();
        accessSync(paths.inboxDir, constants.W_OK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
          throw new UserError(
            `cannot write the update inbox ${paths.inboxDir} (${code}): run this as root or as the hub's user`,
          );
        throw err;
      }
    },
    async receiveBundle(id, from, onBytes) {
      makeDir();
      const part = paths.partFile(id);
      let receivedBytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          receivedBytes += chunk.length;
          if (receivedBytes > maxBytes) return done(new BundleTooLarge(maxBytes));
          onBytes?.(receivedBytes);
          done(null, chunk);
        },
      });
      try {
        await pipeline(from, count, createWriteStream(part, { mode: 0o600 }));
        fsyncPath(part);
        renameSync(part, paths.bundleFile(id));
        fsyncPath(paths.inboxDir);
        return receivedBytes;
      } catch (err) {
        rmSync(part, { force: true });
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw new InboxDiskFull(paths.inboxDir);
        throw err;
      }
    },
    writeRequest(request) {
      makeDir();
      const body = `${JSON.stringify(updateRequestSchema.parse(request))}\n`;
      // A unique temp name: writeFileDurably's fixed `.tmp` would be shared by two writers.
      const tmp = `${paths.requestFile}.${randomBytes(4).toString('hex')}`;
      writeFileDurably(tmp, body);
      renameSync(tmp, paths.requestFile);
      fsyncPath(paths.inboxDir);
    },
    readRequest() {
      const parsed = updateRequestSchema.safeParse(readJson(paths.requestFile));
      return parsed.success ? parsed.data : null;
    },
    readStatus() {
      const parsed = updateStatusSchema.safeParse(readJson(paths.statusFile));
      return parsed.success ? parsed.data : null;
    },
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // missing, being replaced, or not JSON: no status
  }
}

/** Removes what a failed trigger left behind. */
export function removeBundle(inbox: UpdateInbox, id: string): void {
  rmSync(inbox.paths.bundleFile(id), { force: true });
  rmSync(inbox.paths.partFile(id), { force: true });
}
