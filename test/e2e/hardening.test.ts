import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
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

/** Starts hubd on `stdoutFd`, logs a lot, and checks it answers throughout and stops cleanly. */
async function survivesLogging(stdoutFd: number) {
  const dataDir = makeTempDir(teardown);
  const { hubd, output, done } = spawnHubdWithStdout(dataDir, stdoutFd);
  await until(() => output().stderr.includes('web app:') || hubd.exitCode !== null, 20_000, 'hubd to start');
  assert.equal(hubd.exitCode, null, `hubd exited: ${output().stderr}`);
  const base = `http://127.0.0.1:${/localhost:(\d+)\//.exec(output().stderr)?.[1]}`;
  await hammer(base, 2000);
  const t0 = performance.now();
  assert.equal((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).status, 200);
  assert.ok(performance.now() - t0 < 1000, '/healthz answers at once');
  assert.ok(processAlive(hubd.pid!), 'hubd is alive');
  const admin = new HttpClient(base);
  await admin.request('POST', '/api/v1/onboarding', { json: { username: 'ann', password: 'ann-password' } });
  const counters = await logCounters(admin);
  const started = Date.now();
  hubd.kill('SIGTERM');
  const finished = await done;
  assert.equal(finished.code, 0, finished.stderr);
  assert.ok(Date.now() - started < 5000, 'stopped within 5 s');
  return counters;
}

describe('logging never stops the hub', () => {
  it('keeps answering and stays up with stdout on a full disk (/dev/full), counting the failed writes', async () => {
    const full = openSync('/dev/full', 'w');
    teardown.add(() => closeSync(full));
    const counters = await survivesLogging(full);
    assert.ok(Number(counters.writeErrors) > 0, JSON.stringify(counters));
    assert.ok(Number(counters.linesDropped) > 2000, JSON.stringify(counters));
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
    const counters = await survivesLogging(pipe);
    assert.ok(Number(counters.queuedBytes) > 0, `lines wait for the full pipe: ${JSON.stringify(counters)}`);
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
