import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    const client = new RedisClient(() => redis.url, log);
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

  it('does not block start when Redis is not there', async () => {
    const client = new RedisClient(() => 'redis://127.0.0.1:1', log);
    teardown.add(() => client.stop());
    const t0 = Date.now();
    await client.start();
    assert.ok(Date.now() - t0 < 4000);
    assert.equal(client.status().state, 'down');
  });
});

describe('embedded redis-server', () => {
  it('starts a RAM-only child on a unix socket and stops it', async () => {
    const runDir = makeTempDir(teardown);
    const supervisor = new RedisSupervisor('embedded', runDir, log);
    await supervisor.start();
    assert.equal(supervisor.url(), `unix://${join(runDir, 'redis.sock')}`);
    const pid = Number(readFileSync(join(runDir, 'redis.pid'), 'utf8'));
    assert.ok(alive(pid));
    const client = new RedisClient(() => supervisor.url(), log);
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
    const first = new RedisSupervisor('embedded', runDir, log);
    await first.start();
    const pid = Number(readFileSync(join(runDir, 'redis.pid'), 'utf8'));
    const writer = new RedisClient(() => first.url(), log);
    await writer.start();
    await writer.redis.set('buffered', '42');
    await writer.stop();
    // hubd dies without stopping its supervisor; a new one starts in the same run dir.
    const second = new RedisSupervisor('embedded', runDir, log);
    teardown.add(() => second.stop());
    await second.start();
    const reader = new RedisClient(() => second.url(), log);
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
    const first = new RedisSupervisor('auto', runDir, log, () => true, { host: '127.0.0.1', port: 1 });
    await first.start();
    const pid = Number(readFileSync(join(runDir, 'redis.pid'), 'utf8'));
    const writer = new RedisClient(() => first.url(), log);
    await writer.start();
    await writer.redis.set('buffered', '42');
    await writer.stop();
    await first.stop(); // it holds unwritten points: left running
    assert.equal(alive(pid), true);
    const second = new RedisSupervisor('auto', runDir, log, () => false, localRedis);
    teardown.add(() => second.stop());
    await second.start();
    assert.equal(second.url(), `unix://${join(runDir, 'redis.sock')}`);
    const reader = new RedisClient(() => second.url(), log);
    await reader.start();
    assert.equal(await reader.redis.get('buffered'), '42');
    await reader.stop();
    await second.stop();
    assert.equal(alive(pid), false);
  });
});
