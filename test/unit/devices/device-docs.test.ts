import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decidePublish, decideSubscribe } from '../../../src/broker/acl.js';
import type { BrokerPrincipal } from '../../../src/broker/principal.js';
import { SIGNALS_FILTER } from '../../../src/broker/topics.js';
import { DEVICE_KINDS, openevseAnnounceId, topicsFor } from '../../../src/devices/device-topics.js';

// docs/mqtt.md's "Who may publish and subscribe" table must say what the ACL does.
const doc = readFileSync(new URL('../../../docs/mqtt.md', import.meta.url), 'utf8');
const SAMPLE = { default: 'thing1', openevse: 'openevse-a1b2' } as const;

/** `a/{x,y}/b` → `a/x/b`, `a/y/b`. */
const expand = (filter: string): string[] => {
  const m = /\{([^}]+)\}/.exec(filter);
  if (!m) return [filter];
  return m[1]!.split(',').flatMap((part) => expand(filter.replace(m[0], part)));
};
const filtersIn = (cell: string, name: string) =>
  [...cell.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1]!.replaceAll('<n>', name).replaceAll('<id>', openevseAnnounceId(name)))
    .flatMap(expand)
    .sort();

const rows = new Map(
  doc
    .split('\n')
    .filter((line) => line.startsWith('| device `'))
    .map((line) => {
      const [, who = '', publish = '', subscribe = ''] = line.split('|').map((c) => c.trim());
      return [/`([^`]+)`/.exec(who)![1]!, { publish, subscribe }] as const;
    }),
);

describe('docs/mqtt.md device table', () => {
  it('has a row for every device kind and no other', () => {
    assert.deepEqual([...rows.keys()].sort(), [...DEVICE_KINDS].sort());
  });
  for (const kind of DEVICE_KINDS) {
    it(`states exactly what a ${kind} login may publish and subscribe`, () => {
      const name = kind === 'openevse' ? SAMPLE.openevse : SAMPLE.default;
      const topics = topicsFor(kind, name);
      const row = rows.get(kind)!;
      assert.deepEqual(filtersIn(row.publish, name), [...topics.publish].sort());
      assert.deepEqual(
        filtersIn(row.subscribe, name),
        [...topics.subscribe, ...topics.read, SIGNALS_FILTER].sort(),
      );
    });
  }

  // The table against the ACL itself: every documented filter, made concrete, is allowed to a
  // login of that kind, and the same filter of another device of that kind is refused.
  for (const kind of DEVICE_KINDS) {
    it(`lets a ${kind} login do what its row says, and nothing of another ${kind}'s`, () => {
      const [mine, theirs] = kind === 'openevse' ? ['openevse-a1b2', 'openevse-c3d4'] : ['thing1', 'thing2'];
      const login = principalOf(kind, mine);
      const row = rows.get(kind)!;
      for (const filter of filtersIn(row.publish, mine)) {
        const topic = concrete(filter);
        assert.equal(decidePublish(login, 'c1', topic, []).allow, true, `publish ${topic}`);
      }
      for (const filter of filtersIn(row.subscribe, mine)) {
        assert.equal(decideSubscribe(login, 'c1', filter, []).allow, true, `subscribe ${filter}`);
      }
      if (kind === 'emonhub') return; // the one gateway: no other of its kind exists
      for (const filter of filtersIn(row.publish, theirs).filter((f) => !f.startsWith('emon/#'))) {
        const topic = concrete(filter);
        assert.equal(decidePublish(login, 'c1', topic, []).allow, false, `publish ${topic}`);
      }
      const readOnly = new Set(topicsFor(kind, theirs).read);
      for (const filter of filtersIn(row.subscribe, theirs)) {
        if (filter === SIGNALS_FILTER || readOnly.has(filter)) continue;
        assert.equal(decideSubscribe(login, 'c1', filter, []).allow, false, `subscribe ${filter}`);
      }
    });
  }
});

/** A device login as the broker builds it from the device's grants. */
function principalOf(kind: (typeof DEVICE_KINDS)[number], name: string): BrokerPrincipal {
  const topics = topicsFor(kind, name);
  return {
    kind: 'device',
    deviceId: 1,
    username: `dev-${kind}-${name}`,
    publish: topics.publish,
    subscribe: topics.subscribe,
    read: topics.read,
    publishExcept: [],
  };
}

/** A topic a filter covers: `+` and `#` stand for one level. */
const concrete = (filter: string): string => filter.replaceAll('+', 'x').replace(/#$/, 'y');
