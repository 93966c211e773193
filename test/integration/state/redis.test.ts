import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../../../src/shared/clock.js';
import { RedisSupervisor } from '../../../src/state/embedded-redis.process.js';
import { RedisClient } from '../../../src/state/redis-client.redis.js';
import type { Logger } from '../../../src/shared/logger.js';
import { startRedis } from '../../helpers/redis-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const lines: string[] = [];
const log: Logger = {
  debug: (_f, m) => void lines.push(m),
  info: (_f, m) => void lines.push(m),
  warn: (_f, m) => void lines.push(m),
  error: (_f, m) => void lines.push(m),
  child: () => log,
};

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

describe('Redis connection', () => {
  it('reports down while Redis is away and reconnects when it returns', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const client = new RedisClient(() => redis.url, log, systemClock);
    teardown.add(() => client.stop());
    await client.start();
    assert.equal(client.status().state, 'ready');
    assert.equal(await client.redis.set('k', 'v'), 'OK');

    await redis.stop();
    await until(() => client.status().state === 'down', 3000);
    await assert.rejects(client.redis.get('k'), 'commands fail fast while Redis is down');

    const again = await startRedis(redis.port);
    teardown.add(() => again.stop());
    await until(() => client.status().state === 'ready', 8000);
    assert.equal(await client.redis.ping(), 'PONG');
  });

  it('does not block start when Redis is not there: waits 3 s on its clock, then goes on', async () => {
    const clock = new ManualClock(0);
    const client = new RedisClient(() => 'redis://127.0.0.1:1', log, clock);
    teardown.add(() => client.stop());
    let started = false;
    const starting = client.start().then(() => (started = true));
    await clock.tickAsync(2999);
    assert.equal(started, false, 'still giving Redis a moment');
    await clock.tickAsync(1);
    assert.equal(started, true, 'went on at 3 s on the clock');
    await starting;
    assert.equal(client.status().state, 'down');
    assert.equal(clock.pendingTimers(), 0);
  });
});

describe('embedded redis-server', () => {
  it('starts a RAM-only child on a unix socket and stops it', async () => {
    const runDir = makeTempDir(teardown);
    const supervisor = new RedisSupervisor('embedded', runDir, log, systemClock);
    await supervisor.start();
    assert.equal(supervisor.url(), `unix://${join(runDir, 'redis.sock')}`);
    const pid = Number(readFileSync(join(runDir, 'redis.pid'), 'utf8'));
    assert.ok(alive(pid));
    const client = new RedisClient(() => supervisor.url(), log, systemClock);
    await client.start();
    assert.equal(client.status().state, 'ready');
    assert.equal(await client.redis.config('GET', 'save').then((r) => (r as string[])[1]), '');
    await client.stop();
    await supervisor.stop();
    assert.equal(alive(pid), false, 'no redis-server left behind');
    assert.equal(existsSync(join(runDir, 'redis.pid')), false);
  });

  it('adopts the child a killed hubd left behind, with its data', async () => {
    const runDir = makeTempDir(teardown);
    const first = new RedisSupervisor('embedded', runDir, log, systemClock);
    await first.start();
    const pid = Number(readFileSync(join(runDir, 'redis.pid'), 'utf8'));
    const writer = new RedisClient(() => first.url(), log, systemClock);
    await writer.start();
    await writer.redis.set('buffered', '42');
    await writer.stop();
    // hubd dies without stopping its supervisor; a new one starts in the same run dir.
    const second = new RedisSupervisor('embedded', runDir, log, systemClock);
    teardown.add(() => second.stop());
    await second.start();
    const reader = new RedisClient(() => second.url(), log, systemClock);
    await reader.start();
    assert.equal(await reader.redis.get('buffered'), '42');
    await reader.stop();
    await second.stop();
    assert.equal(alive(pid), false);
  });

  it('"auto" adopts the instance a stopped hubd left holding points, though a Redis answers locally', async () => {
    const runDir = makeTempDir(teardown);
    const local = await startRedis();
    teardown.add(() => local.stop());
    const localRedis = { host: '127.0.0.1', port: local.port };
    const first = new RedisSupervisor('auto', runDir, log, systemClock, () => true, {
      host: '127.0.0.1',
      port: 1,
    });
    await first.start();
    const pid = Number(readFileSync(join(runDir, 'redis.pid'), 'utf8'));
    const writer = new RedisClient(() => first.url(), log, systemClock);
    await writer.start();
    await writer.redis.set('buffered', '42');
    await writer.stop();
    await first.stop(); // it holds unwritten points: left running
    assert.equal(alive(pid), true);
    const second = new RedisSupervisor('auto', runDir, log, systemClock, () => false, localRedis);
    teardown.add(() => second.stop());
    await second.start();
    assert.equal(second.url(), `unix://${join(runDir, 'redis.sock')}`);
    const reader = new RedisClient(() => second.url(), log, systemClock);
    await reader.start();
    assert.equal(await reader.redis.get('buffered'), '42');
    await reader.stop();
    await second.stop();
    assert.equal(alive(pid), false);
  });
});
