// DownloadBundle over HTTP(S): one attempt per call, resuming `<file>.part` with a Range request.
// The part is hashed first so the sha256 covers the whole file; only a file of the signed length
// and hash is renamed into place. A cut or stalled connection keeps the part for the next try.
import { createReadStream, createWriteStream, renameSync, statSync, unlinkSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import type { Clock } from '../shared/clock.js';
import { fsyncPath } from './durable-file.fs.js';
import type { DownloadBundle } from './update-inbox.js';

export interface BundleDownloadOptions {
  clock: Clock;
  /** No byte for this long (connecting or receiving) ends the attempt; the part stays. */
  stallTimeoutMs?: number;
}

function partSize(part: string): number {
  try {
    return statSync(part).size;
  } catch {
    return 0;
  }
}

function removePart(part: string): void {
  try {
    unlinkSync(part);
  } catch {
    // already gone
  }
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/** `bytes N-(total-1)/total`, exactly as this resume needs it. */
function rangeMatches(header: string | undefined, offset: number, total: number): boolean {
  return header === `bytes ${offset}-${total - 1}/${total}`;
}

type Outcome = { kind: 'done'; digest: string } | { kind: 'restart' };

export function createBundleDownload(opts: BundleDownloadOptions): DownloadBundle {
  const stallTimeoutMs = opts.stallTimeoutMs ?? 30_000;

  /** One HTTP request; 'restart' when the server says the part cannot be resumed. */
  function request(
    args: Parameters<DownloadBundle>[0],
    part: string,
    offset: number,
    resumedHash: Hash,
  ): Promise<Outcome> {
    const { url, bytes, signal, onProgress } = args;
    return new Promise<Outcome>((resolve, reject) => {
      let cancelStall = () => {};
      let settled = false;
      const finish = (error: Error | undefined, outcome?: Outcome) => {
        if (settled) return;
        settled = true;
        cancelStall();
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else if (outcome) resolve(outcome);
      };
      // The first reason an attempt ends wins over the socket's own 'aborted' that follows it.
      let failure: Error | undefined;
      const stop = (error: Error) => {
        failure ??= error;
        req.destroy(error);
      };
      const onAbort = () => stop(new Error('download aborted'));
      if (signal.aborted) return reject(new Error('download aborted'));

      const target = new URL(url);
      const get = target.protocol === 'https:' ? https.get : http.get;
      const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
      const req = get(target, { headers }, (res) => handle(res));
      const armStall = () => {
        cancelStall();
        cancelStall = opts.clock.after(stallTimeoutMs, () =>
          stop(new Error(`no data for ${stallTimeoutMs} ms`)),
        );
      };
      signal.addEventListener('abort', onAbort);
      let responded = false;
      // Before a response an error ends the attempt; after one, the response's 'close' does.
      req.on('error', (error) => {
        if (!responded) finish(failure ?? error);
      });
      armStall();

      function handle(res: IncomingMessage) {
        responded = true;
        let received = offset;
        let hash = resumedHash;
        let flags = 'a';
        if (res.statusCode === 206 && offset > 0) {
          const range = res.headers['content-range'];
          if (!rangeMatches(range, offset, bytes)) {
            req.destroy();
            return finish(new Error(`unexpected Content-Range ${range ?? '(none)'}`));
          }
        } else if (res.statusCode === 416 && offset > 0) {
          req.destroy();
          return finish(undefined, { kind: 'restart' });
        } else if (res.statusCode === 200) {
          // The whole file follows (a server that ignores Range): start the part over.
          received = 0;
          hash = createHash('sha256');
          flags = 'w';
        } else {
          req.destroy();
          return finish(new Error(`the server answered HTTP ${res.statusCode}`));
        }
        const out = createWriteStream(part, { flags, mode: 0o600 });
        out.on('error', stop);
        res.on('data', (chunk: Buffer) => {
          armStall();
          if (received + chunk.length > bytes)
            return stop(new Error(`the server sent more than ${bytes} bytes`));
          received += chunk.length;
          hash.update(chunk);
          out.write(chunk);
          onProgress(received, bytes);
        });
        res.on('error', () => {}); // a cut: 'close' reports how far it got
        // 'close' follows the end, a cut, a stall, an abort or an error: settle once the part is flushed.
        res.on('close', () => {
          cancelStall();
          out.end(() => {
            if (failure) return finish(failure);
            if (received < bytes) {
              return finish(new Error(`the connection closed after ${received} of ${bytes} bytes`));
            }
            finish(undefined, { kind: 'done', digest: hash.digest('hex') });
          });
        });
      }
    });
  }

  return async (args) => {
    const { file, sha256, bytes } = args;
    const part = `${file}.part`;
    for (let attempt = 0; attempt < 2; attempt++) {
      let offset = partSize(part);
      if (offset > bytes) {
        removePart(part);
        offset = 0;
      }
      const hash = createHash('sha256');
      if (offset > 0) await hashFile(part, hash);
      const outcome = await request(args, part, offset, hash);
      if (outcome.kind === 'restart') {
        removePart(part);
        continue;
      }
      if (partSize(part) !== bytes) throw new Error(`the download has ${partSize(part)} of ${bytes} bytes`);
      if (outcome.digest !== sha256) {
        removePart(part);
        throw new Error('sha256 mismatch');
      }
      fsyncPath(part);
      renameSync(part, file);
      fsyncPath(dirname(file));
      return;
    }
    throw new Error('the server cannot resume the download');
  };
}
