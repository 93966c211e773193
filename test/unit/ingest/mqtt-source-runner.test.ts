import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MqttSourceRunner, type SubscribeFn } from '../../../src/ingest/mqtt-source-runner.js';
import type { IngestPort } from '../../../src/ingest/ports.js';
import type { NodeReadings } from '../../../src/ingest/readings.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import type { Logger } from '../../../src/shared/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** The runner over a fake broker: `publish` reaches every in-process subscription that matches. */
function runner(maxOwnTopics: number) {
  const subs: { filter: string; handler: (t: string, p: Buffer) => void }[] = [];
  const subscribe: SubscribeFn = (filter, handler) => {
    const sub = { filter, handler };
    subs.push(sub);
    return () => void (subs.includes(sub) && subs.splice(subs.indexOf(sub), 1));
  };
  const posted: NodeReadings[] = [];
  const ingest = {
    post: async (batch: readonly NodeReadings[]) => (posted.push(...batch), { stored: 1, refused: 0 }),
  };
  const described: string[] = [];
  const bus = new EventBus(silent);
  bus.on('ingest.device.described', ({ node }) => described.push(node));
  const r = new MqttSourceRunner(
    subscribe,
    ingest as unknown as IngestPort,
    bus,
    new ManualClock(1_790_000_000_000),
    { baseTopic: 'emon', maxOwnTopics },
    silent,
  );
  const matches = (filter: string, topic: string) => {
    const f = filter.split('/');
    const t = topic.split('/');
    return f.length === t.length && f.every((level, i) => level === '+' || level === t[i]);
  };
  const publish = (topic: string, payload: string) =>
    subs.filter((s) => matches(s.filter, topic)).forEach((s) => s.handler(topic, Buffer.from(payload)));
  const announce = (id: string, mqtt: string) =>
    publish(
      `openevse/announce/${id}`,
      JSON.stringify({
        state: 'connected',
        id: `c44f330d${id}`,
        name: `openevse-${id}`,
        mqtt,
        http: 'http://192.168.1.2/',
      }),
    );
  return { r, subs, posted, described, publish, announce };
}

describe('OpenEVSE base topics of their own', () => {
  it('subscribes once per base topic, and at most maxOwnTopics of them', async () => {
    const { r, subs, posted, described, publish, announce } = runner(2);
    await r.start();
    announce('a1b2', 'openevse-a1b2');
    announce('a1b2', 'openevse-a1b2');
    announce('c3d4', 'openevse-c3d4');
    announce('e5f6', 'openevse-e5f6');
    assert.deepEqual(
      subs.map((s) => s.filter),
      ['emon/#', 'openevse/announce/+', 'openevse-a1b2/+', 'openevse-c3d4/+'],
    );
    assert.deepEqual(described, ['openevse-a1b2', 'openevse-a1b2', 'openevse-c3d4']);
    assert.equal(r.counters.ownTopics, 2);
    assert.equal(r.counters.ownTopicsOverCap, 1);
    publish('openevse-e5f6/amp', '1000');
    publish('openevse-a1b2/amp', '16000');
    await Promise.resolve();
    assert.deepEqual(posted, [
      { node: 'openevse-a1b2', timeS: 1_790_000_000, values: [{ name: 'amp', value: 16000 }] },
    ]);
  });

  it('takes its subscriptions back at stop, and makes them again at start', async () => {
    const { r, subs, posted, publish, announce } = runner(2);
    await r.start();
    announce('a1b2', 'openevse-a1b2');
    await r.stop();
    assert.equal(subs.length, 0, 'no subscription is left behind');
    publish('emon/emontx/power1', '100');
    publish('openevse-a1b2/amp', '16000');
    await Promise.resolve();
    assert.deepEqual(posted, []);
    assert.equal(r.status().state, 'stopped');

    await r.start();
    assert.deepEqual(
      subs.map((s) => s.filter),
      ['emon/#', 'openevse/announce/+', 'openevse-a1b2/+'],
      'the base topic an OpenEVSE announced before (a retained announce) is read again',
    );
    publish('openevse-a1b2/amp', '16000');
    await Promise.resolve();
    assert.equal(posted.length, 1);
  });
});
