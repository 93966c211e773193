import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { HttpClient } from '../helpers/http-client.js';
import { collect, processAlive, ROOT, spawnHubd, until } from '../helpers/processes.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();

/** hubd with its stdout on a given file descriptor, at debug level (a log line per request). */
function spawnHubdWithStdout(dataDir: string, stdoutFd: number) {
  const hubd = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HUB_DATA_DIR: dataDir,
      HUB_MDNS: '0',
      HUB_HTTP_PORT: '0',
      HUB_MQTT_PORT: '0',
      HUB_MQTT_TLS_PORT: '0',
      HUB_VZLOGGER_PORT: '0',
      HUB_REDIS_URL: 'embedded',
      HUB_LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', stdoutFd, 'pipe'],
  });
  teardown.add(() => hubd.exitCode === null && hubd.signalCode === null && hubd.kill('SIGKILL'));
  return { hubd, ...collect(hubd) };
}

/** Many requests, a log line each; every one must be answered promptly. */
async function hammer(base: string, requests: number): Promise<void> {
  for (let sent = 0; sent < requests; sent += 50) {
    const batch = Array.from({ length: 50 }, () =>
      fetch(`${base}/healthz?padding=${'x'.repeat(200)}`, { signal: AbortSignal.timeout(2000) }),
    );
    for (const res of await Promise.all(batch)) assert.equal(res.status, 200);
  }
}

async function logCounters(admin: HttpClient) {
  const res = await admin.request('GET', '/readyz');
  const report = res.body as {
    components: { log?: { state: string; detail?: Record<string, number | string | null> } };
  };
  const log = report.components.log;
  const counters: Record<string, number | string | null | undefined> = { ...log?.detail };
  counters.logState = log?.state;
  counters.readyzStatus = res.status;
  return counters;
}

/**
 * The log counters, read again (each reading logs a line) until no write is in flight if asked:
 * a failing write's lines count as dropped only once it is done.
 */
async function settledCounters(admin: HttpClient, untilQueueEmpty: boolean) {
  let counters = await logCounters(admin);
  let readings = 1;
  while (untilQueueEmpty && Number(counters.queuedBytes) > 0 && readings < 20) {
    counters = await logCounters(admin);
    readings++;
  }
  return { counters, readings };
}

/** Debug lines hubd logs between the two (last) counter readings: one per request, the first reading's too. */
const LINES_BETWEEN_READINGS = 1 + 2000 + 1;

/**
 * Starts hubd on `stdoutFd`, logs a lot, and checks it answers throughout and stops cleanly; the log
 * counters before (after onboarding) and after the 2000 requests.
 */
async function survivesLogging(stdoutFd: number, untilQueueEmpty = false) {
  const dataDir = makeTempDir(teardown);
  const { hubd, output, done } = spawnHubdWithStdout(dataDir, stdoutFd);
  await until(() => output().stderr.includes('web app:') || hubd.exitCode !== null, 20_000, 'hubd to start');
  assert.equal(hubd.exitCode, null, `hubd exited: ${output().stderr}`);
  const base = `http://127.0.0.1:${/localhost:(\d+)\//.exec(output().stderr)?.[1]}`;
  const admin = new HttpClient(base);
  await admin.request('POST', '/api/v1/onboarding', { json: { username: 'ann', password: 'ann-password' } });
  const { counters: before } = await settledCounters(admin, untilQueueEmpty);
  await hammer(base, 2000);
  const t0 = performance.now();
  assert.equal((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).status, 200);
  assert.ok(performance.now() - t0 < 1000, '/healthz answers at once');
  assert.ok(processAlive(hubd.pid!), 'hubd is alive');
  const { counters, readings } = await settledCounters(admin, untilQueueEmpty);
  const linesBetween = LINES_BETWEEN_READINGS + readings - 1;
  const started = Date.now();
  hubd.kill('SIGTERM');
  const finished = await done;
  assert.equal(finished.code, 0, finished.stderr);
  assert.ok(Date.now() - started < 5000, 'stopped within 5 s');
  return { before, counters, linesBetween };
}

describe('logging never stops the hub', () => {
  it('keeps answering and stays up with stdout on a full disk (/dev/full), counting the failed writes', async () => {
    const full = openSync('/dev/full', 'w');
    teardown.add(() => closeSync(full));
    const { before, counters, linesBetween } = await survivesLogging(full, true);
    const seen = JSON.stringify({ before, counters });
    // Every line between the readings was dropped, by failed writes of one or more lines each.
    assert.equal(counters.queuedBytes, 0, seen);
    assert.equal(Number(counters.linesDropped) - Number(before.linesDropped), linesBetween, seen);
    const failedWrites = Number(counters.writeErrors) - Number(before.writeErrors);
    assert.ok(failedWrites >= 1 && failedWrites <= linesBetween, seen);
    assert.equal(counters.linesWritten, 0, seen);
    assert.equal(counters.lastError, 'ENOSPC');
    assert.equal(counters.logState, 'degraded', '`hub status` shows the log is in trouble');
    assert.equal(counters.readyzStatus, 200, 'but a full log disk does not make the hub not ready');
  });

  it('keeps answering with stdout on a pipe that nobody reads', async () => {
    const fifo = join(makeTempDir(teardown), 'stdout.fifo');
    execFileSync('mkfifo', [fifo]);
    // Held open for reading and writing but never read: the pipe fills (64 KiB) and stays full.
    const pipe = openSync(fifo, constants.O_RDWR);
    teardown.add(() => closeSync(pipe));
    const { before, counters } = await survivesLogging(pipe);
    const seen = JSON.stringify({ before, counters });
    assert.equal(before.queuedBytes, 0, `the pipe took the start-up lines: ${seen}`);
    // What the pipe holds now (hubd has stopped): whole lines, the last of them /healthz requests.
    const inPipe = Buffer.alloc(1 << 20);
    const held = inPipe.subarray(0, readSync(pipe, inPipe)).toString().split('\n');
    const requestLine = held.findLast((line) => line.includes('"path":"/healthz"') && line.endsWith('}'));
    assert.ok(requestLine, `a request line in the pipe: ${held.length} lines`);
    // The lines not written wait in the queue, none dropped: /healthz lines, whose lengths differ
    // only in the milliseconds they took (1 to 3 digits).
    const waiting = LINES_BETWEEN_READINGS - (Number(counters.linesWritten) - Number(before.linesWritten));
    assert.ok(waiting > 0, `lines wait for the full pipe: ${seen}`);
    const meanBytes = Number(counters.queuedBytes) / waiting;
    const lineBytes = Buffer.byteLength(requestLine) + 1;
    assert.ok(
      Math.abs(meanBytes - lineBytes) <= 2,
      `${meanBytes} bytes a waiting line, not ~${lineBytes}: ${seen}`,
    );
    assert.equal(counters.linesDropped, 0);
    assert.equal(counters.writeErrors, 0);
    assert.equal(counters.logState, 'ready', 'lines waiting is not a failure');
  });
});

describe('the data directory', () => {
  it('is tightened at start to 700 directories and 600 files, and the log says how many', async () => {
    const dataDir = makeTempDir(teardown);
    writeFileSync(join(dataDir, 'hub.json'), '{}\n', { mode: 0o644 });
    mkdirSync(join(dataDir, 'feeds'), { mode: 0o755 });
    writeFileSync(join(dataDir, 'feeds', '1.dat'), '', { mode: 0o644 });
    mkdirSync(join(dataDir, 'tls'), { mode: 0o755 });
    writeFileSync(join(dataDir, 'tls', 'notes.txt'), 'x', { mode: 0o640 });
    writeFileSync(join(dataDir, 'feeds', 'already-private.dat'), '', { mode: 0o600 });
    for (const [path, mode] of [
      ['', 0o755],
      ['hub.json', 0o644],
      ['feeds', 0o755],
      ['feeds/1.dat', 0o644],
      ['tls', 0o755],
    ] as const)
      chmodSync(join(dataDir, path), mode); // whatever the test runner's umask did
    const { hubd, output, done } = spawnHubd(teardown, dataDir);
    await until(() => output().stderr.includes('web app:'), 20_000, 'hubd to start');
    assert.match(output().stdout, /"tightened":6,"failed":0,.*"msg":"tightened the modes of 6 files/);
    const mode = (path: string) => (statSync(join(dataDir, path)).mode & 0o777).toString(8);
    assert.deepEqual(
      ['', 'hub.json', 'feeds', 'feeds/1.dat', 'feeds/already-private.dat', 'tls', 'tls/notes.txt'].map(mode),
      ['700', '600', '700', '600', '600', '700', '600'],
    );
    assert.equal(mode('hub.db'), '600', 'files made at this start are private too');
    hubd.kill('SIGTERM');
    assert.equal((await done).code, 0);
  });
});
