import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKeys } from '../../../src/state/keys.js';
import { parseRedisTarget, redactRedisUrl } from '../../../src/state/redis-url.js';

describe('Redis addressing', () => {
  it('reads unix socket URLs as paths', () => {
    assert.deepEqual(parseRedisTarget('unix:///run/hub/redis.sock'), {
      kind: 'socket',
      path: '/run/hub/redis.sock',
    });
    assert.deepEqual(parseRedisTarget('redis://10.0.0.2:6379'), {
      kind: 'url',
      url: 'redis://10.0.0.2:6379',
    });
  });

  const redactions = [
    ['redis://:hunter2@host:6379/0', 'redis://:[secret]@host:6379/0'],
    ['redis://user:hunter2@host:6379', 'redis://user:[secret]@host:6379'],
    ['rediss://token@host', 'rediss://[secret]@host'],
    ['redis://host:6379', 'redis://host:6379'],
  ] as const;
  for (const [url, shown] of redactions) {
    it(`never shows the password of ${shown}`, () => assert.equal(redactRedisUrl(url), shown));
  }

  it('spells keys as <prefix>:<entity>:<id>', () => {
    assert.equal(createKeys('hub').hubInfo(), 'hub:hub:info');
    assert.equal(createKeys('test-1').hubInfo(), 'test-1:hub:info');
    assert.throws(() => createKeys('Bad Prefix'), /invalid Redis key prefix/);
  });
});
