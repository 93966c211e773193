import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
});
