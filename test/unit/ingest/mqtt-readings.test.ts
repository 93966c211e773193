import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IngestService } from '../../../src/ingest/ingest-service.js';
import { MemoryInputRepo } from '../../../src/ingest/input-repo.memory.js';
import { MemoryLiveState } from '../../../src/ingest/live-state.memory.js';
import { MqttSourceRunner } from '../../../src/ingest/mqtt-source-runner.js';
import type { FeedSink } from '../../../src/ingest/ports.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import type { Logger } from '../../../src/shared/logger.js';
import { InMemoryMqtt } from '../../helpers/in-memory-mqtt.js';

// emoncms's emon/# rules as a service: the MQTT source and ingest on in-memory ports and a
// manual clock (moved here from test/integration/ingest/mqtt-ingest.test.ts, which boots a hub).

const NOW_S = 1_790_000_000;

async function mqttIngest() {
  const lines: { msg: string; fields: unknown }[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (fields, msg) => void lines.push({ msg, fields }),
    error: (fields, msg) => void lines.push({ msg, fields }),
    child: () => log,
  };
  const clock = new ManualClock(NOW_S * 1000);
  const bus = new EventBus(log);
  const noFeeds: FeedSink = { exists: () => false, admit: () => undefined, post: async () => 0 };
  const ingest = new IngestService(
    new MemoryInputRepo(),
    new MemoryLiveState(),
    noFeeds,
    bus,
    clock,
    { createInputs: true, maxNodes: 6, maxInputsPerNode: 8, maxFutureS: 86_400, timeZone: 'UTC' },
    log,
  );
  const mqtt = new InMemoryMqtt();
  const runner = new MqttSourceRunner(
    mqtt.subscribe.bind(mqtt),
    ingest,
    bus,
    clock,
    { baseTopic: 'emon' },
    log,
  );
  await ingest.start();
  await runner.start();
  /** Publishes, then lets ingest apply the batch (it drains once per turn of the event loop). */
  const publish = async (topic: string, payload: string) => {
    await mqtt.publish(topic, payload);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const values = (node: string) =>
    ingest
      .list()
      .filter((i) => i.node === node)
      .map((i) => [i.name, i.value, i.timeS]);
  return { ingest, runner, publish, values, lines, clock };
}

describe('readings over MQTT (emoncms emon/# rules), as a service', () => {
  it('creates an input from an emonhub nodevar message and keeps its last value', async () => {
    const { ingest, publish, values } = await mqttIngest();
    await publish('emon/emonpi/power1', '123.4');
    await publish('emon/emonpi/power1', '125');
    assert.deepEqual(values('emonpi'), [['power1', 125, NOW_S]]);
    const found = ingest.find('emonpi', 'power1');
    assert.equal(found?.description, '');
    assert.deepEqual(found?.processList, []);
  });

  it('reads a JSON object with its own time, and extra topic levels as a name prefix', async () => {
    const { publish, values } = await mqttIngest();
    await publish('emon/emontx4', JSON.stringify({ P1: 100.5, P2: -20, time: NOW_S - 30 }));
    await publish('emon/openevse/status', JSON.stringify({ amp: 16000 }));
    assert.deepEqual(values('emontx4'), [
      ['P1', 100.5, NOW_S - 30],
      ['P2', -20, NOW_S - 30],
    ]);
    assert.deepEqual(values('openevse'), [['status_amp', 16000, NOW_S]]);
  });

  it('names comma-separated values 0, 1, 2 on a node-only topic', async () => {
    const { publish, values } = await mqttIngest();
    await publish('emon/rfnode', '1,2.5,-3');
    assert.deepEqual(values('rfnode'), [
      ['0', 1, NOW_S],
      ['1', 2.5, NOW_S],
      ['2', -3, NOW_S],
    ]);
  });

  it('counts every bad message and stores nothing; logs each topic at most once a minute', async () => {
    const { ingest, runner, publish, lines, clock } = await mqttIngest();
    await publish('emon/badnode/power', 'twelve');
    await publish('emon/badnode/power', 'Infinity');
    await publish('emon/badnode', JSON.stringify({ a: 1, time: NOW_S + 10 * 86_400 }));
    assert.deepEqual([runner.counters.messages, runner.counters.refused], [3, 3]);
    assert.deepEqual(ingest.list(), []);
    const refusedTopics = () =>
      lines.filter((l) => l.msg === 'mqtt reading refused').map((l) => (l.fields as { topic: string }).topic);
    assert.deepEqual(refusedTopics(), ['emon/badnode/power', 'emon/badnode']);
    clock.tick(60_000);
    await publish('emon/badnode/power', 'twelve');
    assert.deepEqual(refusedTopics(), ['emon/badnode/power', 'emon/badnode', 'emon/badnode/power']);
    assert.equal(runner.counters.refused, 4);
  });

  it('refuses new inputs over the per-node cap and keeps the ones it has', async () => {
    const { runner, publish, values } = await mqttIngest();
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`ch${i}`, i]));
    await publish('emon/capnode', JSON.stringify(many));
    await publish('emon/capnode', JSON.stringify({ ch0: 7 }));
    assert.deepEqual(values('capnode'), [['ch0', 7, NOW_S]]);
    assert.equal(runner.counters.refused, 1);
  });
});
