import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { spawnHubd, until } from '../helpers/processes.js';
import { freePort } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();

// systemd's side of hubd.service (Type=notify, WatchdogSec=): a unix datagram socket that prints
// every message it gets, one per line. Node has no unix datagram sockets; python3 has.
const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    data = s.recv(4096)
    print(data.decode().replace("\\n", " "), flush=True)
`;

describe('hubd under systemd Type=notify', () => {
  it('sends READY=1 only once /readyz is 200, feeds the watchdog at half its interval, and STOPPING=1 on SIGTERM', async () => {
    const dir = makeTempDir(teardown);
    const socketPath = join(dir, 'notify.sock');
    const receiver = spawn('python3', ['-c', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    teardown.add(() => receiver.exitCode === null && receiver.kill('SIGKILL'));
    const lines: { atMs: number; text: string }[] = [];
    let buffered = '';
    receiver.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const text of parts) lines.push({ atMs: Date.now(), text });
    });
    await until(() => lines.some((l) => l.text === 'bound'), 10_000, 'the notify socket bound');

    const httpPort = await freePort();
    const { hubd, done } = spawnHubd(teardown, join(dir, 'data'), {
      HUB_HTTP_PORT: String(httpPort),
      NOTIFY_SOCKET: socketPath,
      WATCHDOG_USEC: '2000000',
    });
    const readyz = async () =>
      (await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200;
    await until(() => lines.some((l) => l.text.includes('READY=1')), 30_000, 'READY=1');
    assert.ok(await readyz(), 'READY=1 came while /readyz answers 200');
    assert.equal(lines.filter((l) => l.text.includes('READY=1')).length, 1, 'READY=1 once');

    const firstPingMs = Date.now();
    await until(
      () => lines.filter((l) => l.atMs >= firstPingMs && l.text === 'WATCHDOG=1').length >= 4,
      10_000,
      'pings',
    );
    const pings = lines.filter((l) => l.text === 'WATCHDOG=1').map((l) => l.atMs);
    const gaps = pings.slice(1).map((t, i) => t - pings[i]!);
    const median = gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
    // WATCHDOG_USEC 2 s: a ping every second, well inside systemd's 2 s.
    assert.ok(median > 700 && median < 1500, `median ping gap ${median} ms`);

    hubd.kill('SIGTERM');
    const finished = await done;
    assert.equal(finished.code, 0);
    assert.ok(
      lines.some((l) => l.text.includes('STOPPING=1')),
      'STOPPING=1 before it exits',
    );
  });

  it('feeds no watchdog that is meant for another process (WATCHDOG_PID)', async () => {
    const dir = makeTempDir(teardown);
    const socketPath = join(dir, 'notify.sock');
    const receiver = spawn('python3', ['-c', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    teardown.add(() => receiver.exitCode === null && receiver.kill('SIGKILL'));
    let out = '';
    receiver.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await until(() => out.includes('bound'), 10_000, 'the notify socket bound');
    const { hubd, done } = spawnHubd(teardown, join(dir, 'data'), {
      HUB_HTTP_PORT: String(await freePort()),
      NOTIFY_SOCKET: socketPath,
      WATCHDOG_USEC: '1000000',
      WATCHDOG_PID: '1',
    });
    await until(() => out.includes('READY=1'), 30_000, 'READY=1');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.ok(!out.includes('WATCHDOG=1'), out);
    hubd.kill('SIGTERM');
    await done;
  });
});
