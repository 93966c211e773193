import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpClient } from '../helpers/http-client.js';
import { processAlive, runEntry, spawnHubd, until } from '../helpers/processes.js';
import { freePort } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();

describe('hubd as a process', () => {
  it('starts with its own redis-server, becomes ready, and stops on SIGTERM within 5 s leaving no child', async () => {
    const dataDir = makeTempDir(teardown);
    const httpPort = await freePort();
    const { hubd, output, done } = spawnHubd(teardown, dataDir, { HUB_HTTP_PORT: String(httpPort) });
    await until(
      () => output().stderr.includes('web app:') && output().stdout.includes('"msg":"hubd started"'),
      20_000,
      'the start banner and its structured log line',
    );
    const banner = output().stderr;
    const port = Number(/localhost:(\d+)\//.exec(banner)?.[1]);
    assert.equal(port, httpPort, `the banner names the configured port: ${banner}`);
    assert.match(banner, /MQTT: +port \d+, TLS port \d+, WebSocket \/mqtt/);
    assert.ok(banner.includes(`data:     ${dataDir}`));

    await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 10_000, 'ready');
    const admin = new HttpClient(`http://127.0.0.1:${port}`);
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const report = (await admin.request('GET', '/readyz')).body as {
      components: Record<string, { state: string; detail?: { port?: number; mode?: string } }>;
    };
    assert.equal(report.components.http?.detail?.port, port, '/readyz shows the chosen port');
    assert.equal(report.components['redis-server']?.detail?.mode, 'embedded');
    const redisPid = Number(readFileSync(join(dataDir, 'run', 'redis.pid'), 'utf8'));
    assert.ok(processAlive(redisPid));

    const status = await runEntry('src/cli/main.ts', ['status', '--url', `http://127.0.0.1:${port}`], {
      HUB_DATA_DIR: dataDir,
    });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^hubd at http://127.0.0.1:${port}: ready\n`));
    assert.match(status.stdout, /^ {2}redis-server +ready$/m);

    const t0 = Date.now();
    hubd.kill('SIGTERM');
    const finished = await done;
    assert.equal(finished.code, 0, finished.stderr);
    assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
    assert.equal(processAlive(redisPid), false, 'the embedded redis-server is gone');
  });

  it('refuses to start on a bad hub.json, naming file, field, expectation and value', async () => {
    const dataDir = makeTempDir(teardown);
    const file = join(dataDir, 'hub.json');
    writeFileSync(file, JSON.stringify({ http: { port: 99999 } }));
    const result = await runEntry('src/main.ts', [], { HUB_DATA_DIR: dataDir });
    assert.equal(result.code, 78);
    assert.ok(
      result.stderr.includes(
        `${file}: field "http.port": expected an integer port from 0 (any free port) to 65535, found 99999`,
      ),
      result.stderr,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('says how to install redis-server when it is missing, and keeps serving', async () => {
    const dataDir = makeTempDir(teardown);
    const { hubd, output, done } = spawnHubd(teardown, dataDir, { PATH: '/nonexistent' });
    await until(() => output().stderr.includes('web app:'), 20_000, 'the start banner');
    assert.match(
      output().stdout,
      /redis-server is not installed\. Install it with \\"sudo apt-get install redis-server\\"/,
    );
    const port = Number(/localhost:(\d+)\//.exec(output().stderr)?.[1]);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, 'alive');
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 503, 'not ready');
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/onboarding`)).status, 200, 'still serving');
    hubd.kill('SIGTERM');
    assert.equal((await done).code, 0);
  });
});
