import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createBundleDownload } from '../../../src/updater/bundle-download.net.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const teardown = useTeardown();
const body = randomBytes(256 * 1024 + 17);
const sha256 = createHash('sha256').update(body).digest('hex');

interface ServerMode {
  /** Destroy the socket after sending this many body bytes (once, then serve normally). */
  cutAfterBytes?: number;
  ignoreRange?: boolean;
  /** Send headers, then nothing. */
  stall?: boolean;
}

/** A file server with Range support that records every request's Range header. */
async function startFileServer(mode: ServerMode) {
  const ranges: (string | undefined)[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    ranges.push(req.headers.range);
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (match && !mode.ignoreRange) {
      start = Number(match[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'Content-Length': body.length - start,
      });
    } else {
      res.writeHead(200, { 'Content-Length': body.length });
    }
    if (mode.stall) {
      res.flushHeaders();
      return;
    }
    const cut = mode.cutAfterBytes;
    if (cut !== undefined) {
      mode.cutAfterBytes = undefined;
      res.write(body.subarray(start, start + cut), () => res.destroy());
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  teardown.add(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hub.bundle`, ranges };
}

function setup() {
  const dir = makeTempDir(teardown, 'hub-dl-');
  const file = join(dir, 'r1.bundle');
  const progress: number[] = [];
  const clock = new ManualClock(Date.parse('2026-11-28T06:00:00Z'));
  const download = createBundleDownload({ clock, stallTimeoutMs: 5000 });
  const args = (url: string, overrides: { sha256?: string; signal?: AbortSignal } = {}) => ({
    url,
    file,
    sha256: overrides.sha256 ?? sha256,
    bytes: body.length,
    onProgress: (received: number) => progress.push(received),
    signal: overrides.signal ?? new AbortController().signal,
  });
  return { file, part: `${file}.part`, progress, clock, download, args };
}

describe('bundle download', () => {
  it('downloads, checks and renames a whole file', async () => {
    const server = await startFileServer({});
    const t = setup();
    await t.download(t.args(server.url));
    assert.deepEqual(readFileSync(t.file), body);
    assert.equal(existsSync(t.part), false);
    assert.equal(t.progress.at(-1), body.length);
    assert.deepEqual(server.ranges, [undefined]);
  });

  it('keeps the part when the connection is cut and resumes it with a Range request', async () => {
    const server = await startFileServer({ cutAfterBytes: 100_000 });
    const t = setup();
    await assert.rejects(t.download(t.args(server.url)), /closed after|cut/);
    assert.equal(existsSync(t.file), false);
    assert.equal(statSync(t.part).size, 100_000);
    await t.download(t.args(server.url));
    assert.deepEqual(server.ranges, [undefined, 'bytes=100000-']);
    assert.deepEqual(readFileSync(t.file), body);
    assert.equal(existsSync(t.part), false);
  });

  it('starts over when the server ignores the Range and sends the whole file', async () => {
    const server = await startFileServer({ ignoreRange: true });
    const t = setup();
    writeFileSync(t.part, randomBytes(5000)); // a part the server will not resume
    await t.download(t.args(server.url));
    assert.deepEqual(server.ranges, ['bytes=5000-']);
    assert.deepEqual(readFileSync(t.file), body);
  });

  it('starts over when the part is bigger than the bundle or the server answers 416', async () => {
    const server = await startFileServer({});
    const t = setup();
    writeFileSync(t.part, Buffer.alloc(body.length + 1));
    await t.download(t.args(server.url));
    assert.deepEqual(readFileSync(t.file), body);
    const t2 = setup();
    writeFileSync(t2.part, body); // complete but the server has nothing after it: 416
    server.ranges.length = 0;
    await t2.download(t2.args(server.url));
    assert.deepEqual(server.ranges, [`bytes=${body.length}-`, undefined]);
    assert.deepEqual(readFileSync(t2.file), body);
  });

  it('leaves no file and no part on a sha256 mismatch, also after a resume', async () => {
    const server = await startFileServer({ cutAfterBytes: 4096 });
    const t = setup();
    const wrong = 'f'.repeat(64);
    await assert.rejects(t.download(t.args(server.url, { sha256: wrong })), /closed after|cut/);
    await assert.rejects(t.download(t.args(server.url, { sha256: wrong })), /sha256 mismatch/);
    assert.equal(existsSync(t.file), false);
    assert.equal(existsSync(t.part), false);
  });

  it('rejects on abort and leaves no file', async () => {
    const server = await startFileServer({ stall: true });
    const t = setup();
    const controller = new AbortController();
    const pending = t.download(t.args(server.url, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await assert.rejects(pending, /aborted/);
    assert.equal(existsSync(t.file), false);
  });

  it('gives up on a stalled connection after the stall timeout (by the clock)', async () => {
    const server = await startFileServer({ stall: true });
    const t = setup();
    const pending = t.download(t.args(server.url));
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.clock.tick(4999);
    t.clock.tick(1);
    await assert.rejects(pending, /no data for 5000 ms/);
    assert.equal(existsSync(t.file), false);
  });
});
