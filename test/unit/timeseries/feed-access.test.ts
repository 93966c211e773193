import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../../../src/auth/roles.js';
import { canReadFeed, canWriteFeeds } from '../../../src/timeseries/feed-access.js';
import type { FeedRecord } from '../../../src/timeseries/ports.js';

const feed = (isPublic: boolean): FeedRecord => ({
  id: 1,
  ownerId: 1,
  name: 'power',
  tag: 'house',
  unit: 'W',
  intervalS: 10,
  public: isPublic,
  retentionDays: null,
  createdAtMs: 0,
});

const who = (role: Principal['role'], via: Principal['via'], scope: Principal['scope']): Principal => ({
  userId: role === 'admin' ? 1 : 2,
  username: role,
  role,
  via,
  scope,
});

const callers: { name: string; principal: Principal | undefined; read: boolean; write: boolean }[] = [
  { name: 'nobody signed in', principal: undefined, read: false, write: false },
  { name: 'an admin session', principal: who('admin', 'session', 'write'), read: true, write: true },
  { name: "an admin's write key", principal: who('admin', 'apikey', 'write'), read: true, write: true },
  { name: "an admin's read key", principal: who('admin', 'apikey', 'read'), read: true, write: false },
  { name: 'a viewer session', principal: who('viewer', 'session', 'write'), read: true, write: false },
  { name: "a viewer's write key", principal: who('viewer', 'apikey', 'write'), read: true, write: false },
  { name: "a viewer's read key", principal: who('viewer', 'apikey', 'read'), read: true, write: false },
];

describe('feed access', () => {
  for (const c of callers) {
    it(`${c.name}: reads a public feed`, () => assert.equal(canReadFeed(c.principal, feed(true)), true));
    it(`${c.name}: ${c.read ? 'reads' : 'cannot read'} a private feed`, () =>
      assert.equal(canReadFeed(c.principal, feed(false)), c.read));
    it(`${c.name}: ${c.write ? 'may' : 'may not'} change feeds`, () =>
      assert.equal(canWriteFeeds(c.principal), c.write));
  }
});
