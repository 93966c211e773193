import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Aedes } from 'aedes';
import { emptyCounters } from '../../../src/broker/broker-stats.js';
import { InProcessMqtt } from '../../../src/broker/in-process-mqtt.net.js';
import { MqttPublishError } from '../../../src/broker/ports.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeBroker, quietLog } from './broker-fixture.js';

// The MqttPort drivers and ingest use (issue 12, item 6): subscriptions that can be taken back,
// and publishes that say whether the broker took them.

const teardown = useTeardown();

describe('the MQTT port', () => {
  it('stops delivering to a handler once it unsubscribes; other subscriptions go on', async () => {
    const broker = makeBroker(teardown);
    await broker.start();
    const gone: string[] = [];
    const kept: string[] = [];
    const unsubscribe = broker.subscribe('plug/+/power', (topic, payload) =>
      gone.push(`${topic}=${payload}`),
    );
    broker.subscribe('plug/#', (topic, payload) => kept.push(`${topic}=${payload}`));
    const device = await mqttClient(teardown, `mqtt://127.0.0.1:${broker.ports().tcp}`, {
      username: 'ann',
      password: 'pw',
    });
    await device.publishAsync('plug/1/power', '10', { qos: 1 });
    unsubscribe();
    unsubscribe(); // a second call does nothing
    await device.publishAsync('plug/1/power', '20', { qos: 1 });
    await device.publishAsync('plug/1/power', '30', { qos: 1 });
    assert.deepEqual(kept, ['plug/1/power=10', 'plug/1/power=20', 'plug/1/power=30']);
    assert.deepEqual(gone, ['plug/1/power=10']);
  });

  it('resolves a publish once the broker took it: retained, and queued for an offline session', async () => {
    const broker = makeBroker(teardown);
    await broker.start();
    const url = `mqtt://127.0.0.1:${broker.ports().tcp}`;
    const opts = { username: 'ann', password: 'pw', clientId: 'relay-1', clean: false };
    const offline = await mqttClient(teardown, url, opts);
    await offline.subscribeAsync('hub/dev/relay/cmd/#', { qos: 1 });
    await offline.endAsync();

    await broker.publish('hub/dev/relay/cmd/on', 'true', { qos: 1 });
    await broker.publish('hub/signals/price', '{"ct":21}', { retain: true });
    assert.equal(broker.counters.retainedCount, 1);

    const back = await mqttClient(teardown, url, { ...opts, connectTimeout: 5000 });
    const command = await nextMessage(back, (t) => t === 'hub/dev/relay/cmd/on');
    assert.equal(command.payload, 'true');
    const reader = await mqttClient(teardown, url, { username: 'ann', password: 'pw' });
    const price = nextMessage(reader, (t) => t === 'hub/signals/price');
    await reader.subscribeAsync('hub/signals/#');
    assert.deepEqual(await price, { topic: 'hub/signals/price', payload: '{"ct":21}', retain: true });
  });

  it('rejects a publish it cannot take, saying why, and counts it', async () => {
    const broker = makeBroker(teardown);
    await assert.rejects(broker.publish('hub/x', '1'), (err: unknown) => {
      assert.ok(err instanceof MqttPublishError);
      assert.equal(err.message, 'MQTT message to hub/x not published: the broker is not running');
      return true;
    });
    await broker.start();
    await assert.rejects(broker.publish('hub/+/x', '1'), /hub\/\+\/x not published: invalid topic name/);
    await assert.rejects(
      broker.publish('a/'.repeat(120) + 'b', '1'),
      /not published: topic has too many levels/,
    );
    await broker.stop();
    await assert.rejects(broker.publish('hub/x', '1'), /the broker is not running/);
    assert.equal(broker.counters.failedPublishes, 4);
    assert.throws(() => broker.subscribe('a/#/b', () => undefined), /invalid MQTT topic filter/);
  });

  it('keeps in-process subscriptions across a restart of the broker', async () => {
    const broker = makeBroker(teardown);
    const got: string[] = [];
    broker.subscribe('hub/test', (_t, payload) => got.push(payload.toString()));
    await broker.start();
    await broker.publish('hub/test', 'one');
    await broker.stop();
    await broker.start();
    await broker.publish('hub/test', 'two');
    assert.deepEqual(got, ['one', 'two']);
  });

  it('fails a publish in flight at once when the broker stops, and leaves no timer behind', async () => {
    const clock = new ManualClock(0);
    const aedes = await Aedes.createBroker();
    teardown.add(() => new Promise<void>((resolve) => aedes.close(() => resolve())));
    const counters = emptyCounters();
    const port = new InProcessMqtt({ clock, log: quietLog, counters, noteRetained: () => undefined });
    port.attach(aedes);
    // A reader that never finishes with the message: the broker never takes the publish.
    aedes.subscribe('hub/slow', (() => undefined) as never, () => undefined);
    let outcome: unknown = 'pending';
    const outcomeNow = () => outcome; // read afresh: the callbacks below set it
    const inFlight = port.publish('hub/slow', '1', { qos: 1 });
    inFlight.then(
      () => (outcome = 'resolved'),
      (err: unknown) => (outcome = err),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(outcomeNow(), 'pending');
    assert.equal(clock.pendingTimers(), 1, 'the 30 s time-out');

    port.detach();
    await new Promise((resolve) => setImmediate(resolve));
    const stopped = outcomeNow();
    assert.ok(stopped instanceof MqttPublishError, `not rejected at once: ${String(stopped)}`);
    assert.equal(stopped.message, 'MQTT message to hub/slow not published: the broker stopped');
    assert.equal(clock.pendingTimers(), 0, 'its time-out is cancelled');
    assert.equal(counters.failedPublishes, 1);
  });
});
