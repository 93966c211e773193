// hub-updater's (root's) side of the inbox. The inbox belongs to hubd's user, so nothing in it is
// trusted: no link is followed, only regular files of bounded size are read, and the bundle is
// copied into a root-only folder before it is verified, so hubd cannot swap it afterwards.
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { inboxPaths, updateRequestSchema, type UpdateSource } from './update-inbox.js';
import type { BundleTaken, Inbox, RequestRead } from './request-runner.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;
const MAX_REQUEST_BYTES = 16 * 1024;
const COPY_CHUNK_BYTES = 1024 * 1024;

type Opened = { fd: number; size: number } | { error: 'missing' | 'link' | 'not-file' };

/** Opens a file of the inbox without following a link or blocking on a FIFO. */
function openUntrusted(file: string): Opened {
  let fd: number;
  try {
    fd = openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { error: 'missing' };
    if (code === 'ELOOP') return { error: 'link' };
    throw err;
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    return { error: 'not-file' };
  }
  return { fd, size: stat.size };
}

/** Removes a name from the inbox: a file or a link (never what a link names, never a folder's tree). */
function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already, or a folder hubd made: it stays, and is hubd's own
  }
}

function salvage(json: unknown): { id?: string; source?: UpdateSource } {
  if (typeof json !== 'object' || json === null) return {};
  const { id, source } = json as { id?: unknown; source?: unknown };
  const okId = updateRequestSchema.shape.id.safeParse(id);
  const okSource = updateRequestSchema.shape.source.safeParse(source);
  return {
    ...(okId.success ? { id: okId.data } : {}),
    ...(okSource.success ? { source: okSource.data } : {}),
  };
}

export function fsInbox(opts: { appDir: string; incomingDir: string; maxBundleBytes: number }): Inbox {
  const paths = inboxPaths(opts.appDir);
  const { incomingDir, maxBundleBytes } = opts;

  function readRequest(): RequestRead {
    const opened = openUntrusted(paths.requestFile);
    if ('error' in opened) {
      if (opened.error === 'missing') return { kind: 'none' };
      return {
        kind: 'invalid',
        reason: `request.json is ${opened.error === 'link' ? 'a link' : 'not a file'}`,
      };
    }
    let text: string;
    try {
      if (opened.size > MAX_REQUEST_BYTES) {
        return {
          kind: 'invalid',
          reason: `request.json has ${opened.size} bytes (at most ${MAX_REQUEST_BYTES})`,
        };
      }
      const buf = Buffer.alloc(opened.size);
      text = buf.subarray(0, readSync(opened.fd, buf, 0, opened.size, 0)).toString('utf8');
    } finally {
      closeSync(opened.fd);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'invalid', reason: 'request.json is not JSON' };
    }
    const parsed = updateRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        kind: 'invalid',
        ...salvage(json),
        reason: `request.json: ${issue?.path.join('.')}: ${issue?.message}`,
      };
    }
    if (parsed.data.bundle !== `${parsed.data.id}.bundle`) {
      return {
        kind: 'invalid',
        ...salvage(json),
        reason: `request.json: bundle must be ${parsed.data.id}.bundle`,
      };
    }
    return { kind: 'ok', request: parsed.data };
  }

  function copyOut(src: { fd: number; size: number }, dest: string): BundleTaken {
    if (src.size > maxBundleBytes) {
      return {
        ok: false,
        state: 'refused',
        code: 'too-big',
        reason: `the bundle has ${src.size} bytes (at most ${maxBundleBytes})`,
      };
    }
    mkdirSync(incomingDir, { recursive: true, mode: 0o700 });
    chmodSync(incomingDir, 0o700);
    rmSync(dest, { force: true });
    const out = openSync(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    let copiedBytes = 0;
    try {
      const buf = Buffer.alloc(COPY_CHUNK_BYTES);
      for (;;) {
        const got = readSync(src.fd, buf, 0, buf.length, null);
        if (got === 0) break;
        copiedBytes += got;
        if (copiedBytes > maxBundleBytes) break; // grown while copied
        writeSync(out, buf, 0, got);
      }
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    if (copiedBytes > maxBundleBytes) {
      rmSync(dest, { force: true });
      return {
        ok: false,
        state: 'refused',
        code: 'too-big',
        reason: `the bundle grew past ${maxBundleBytes} bytes`,
      };
    }
    return { ok: true, file: dest };
  }

  function discard(request?: { id: string }): void {
    unlinkQuietly(paths.requestFile);
    if (request) {
      unlinkQuietly(paths.bundleFile(request.id));
      unlinkQuietly(paths.partFile(request.id));
    }
  }

  return {
    readRequest,
    discard,
    takeBundle(request) {
      const src = paths.bundleFile(request.id);
      try {
        const opened = openUntrusted(src);
        if ('error' in opened) {
          if (opened.error === 'missing') {
            return {
              ok: false,
              state: 'failed',
              code: 'no-bundle',
              reason: `${request.bundle} is not in the inbox`,
            };
          }
          const what = opened.error === 'link' ? 'a link' : 'not a regular file';
          return {
            ok: false,
            state: 'refused',
            code: 'bad-bundle-file',
            reason: `${request.bundle} is ${what}`,
          };
        }
        try {
          return copyOut(opened, join(incomingDir, `${request.id}.bundle`));
        } finally {
          closeSync(opened.fd);
        }
      } finally {
        discard(request);
      }
    },
    removeIncoming(file) {
      rmSync(file, { force: true });
    },
    clearIncoming() {
      if (!existsSync(incomingDir)) return;
      for (const name of readdirSync(incomingDir))
        rmSync(join(incomingDir, name), { force: true, recursive: true });
    },
  };
}
