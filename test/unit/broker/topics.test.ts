import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameGuard } from '../../../src/broker/frame-guard.js';
import {
  filterCovers,
  isValidTopicFilter,
  isValidTopicName,
  topicMatches,
} from '../../../src/broker/topics.js';
import { TokenBucket } from '../../../src/broker/token-bucket.js';
import { ManualClock } from '../../../src/shared/clock.js';

describe('topics', () => {
  const matches: [string, string, boolean][] = [
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['a/b', 'a/b/c', false],
  ];
  for (const [filter, topic, want] of matches)
    it(`${filter} ${want ? 'matches' : 'does not match'} ${topic}`, () =>
      assert.equal(topicMatches(filter, topic), want));

  const covers: [string, string, boolean][] = [
    ['cmnd/p1/#', 'cmnd/p1/POWER', true],
    ['cmnd/p1/#', 'cmnd/p1/#', true],
    ['cmnd/p1/#', 'cmnd/+/POWER', false],
    ['cmnd/+/x', 'cmnd/p1/x', true],
    ['cmnd/p1/x', 'cmnd/p1/+', false],
    ['a/b', 'a/b', true],
    ['#', '$SYS/x', false],
  ];
  for (const [outer, inner, want] of covers)
    it(`${outer} ${want ? 'covers' : 'does not cover'} ${inner}`, () =>
      assert.equal(filterCovers(outer, inner), want));

  it('validates names and filters', () => {
    assert.equal(isValidTopicName('a/b'), true);
    assert.equal(isValidTopicName('a/+'), false);
    assert.equal(isValidTopicName(''), false);
    assert.equal(isValidTopicFilter('a/#'), true);
    assert.equal(isValidTopicFilter('a/#/b'), false);
    assert.equal(isValidTopicFilter('a/b+'), false);
  });
});

const OK = { kind: 'ok' };

describe('frame guard', () => {
  it('passes packets within the limit, across chunk boundaries', () => {
    const guard = new FrameGuard(200);
    // PUBLISH with remaining length 130 (0x82 0x01), split mid-header and mid-body
    const packet = Buffer.concat([Buffer.from([0x30, 0x82, 0x01]), Buffer.alloc(130)]);
    assert.deepEqual(guard.push(packet.subarray(0, 2)), OK);
    assert.deepEqual(guard.push(packet.subarray(2, 50)), OK);
    assert.deepEqual(guard.push(packet.subarray(50)), OK);
    assert.deepEqual(guard.push(Buffer.from([0xc0, 0x00])), OK, 'a PINGREQ after it');
  });

  it('reports a packet announcing more than the limit before its body arrives', () => {
    const guard = new FrameGuard(1000);
    assert.deepEqual(guard.push(Buffer.from([0x30, 0xe8, 0x07])), { kind: 'oversized', bytes: 1003 }); // remaining length 1000
  });

  it('reports a malformed remaining length', () => {
    assert.equal(
      new FrameGuard(1000).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])).kind,
      'oversized',
    );
  });
});

describe('publish token bucket', () => {
  it('allows a burst, then the rate', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(clock, 10, 3);
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
    clock.advanceMs(100);
    assert.equal(bucket.take(), true, 'one token back after 100 ms at 10/s');
    assert.equal(bucket.take(), false);
  });
});
