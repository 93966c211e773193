import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MqttPublishError, type MqttPort } from '../../src/broker/ports.js';

/** A port of the adapter under test, running, with its own lifecycle (a broker restart). */
export type MqttPortFactory = () => Promise<{
  port: MqttPort;
  start(): Promise<void>;
  stop(): Promise<void>;
}>;

/** What ingest and device drivers rely on from any MqttPort (src/broker/ports.ts). */
export function mqttPortContract(name: string, make: MqttPortFactory): void {
  describe(`MqttPort contract: ${name}`, () => {
    it('hands a publish to every matching subscription before it resolves, and to no other', async () => {
      const { port } = await make();
      const got: string[] = [];
      for (const filter of ['plug/1/power', 'plug/+/power', 'plug/#', '#', 'plug/+', 'meter/#'])
        port.subscribe(filter, (topic, payload) => got.push(`${filter} ${topic}=${payload.toString()}`));
      await port.publish('plug/1/power', '12.5');
      await port.publish('plug/2/power', Buffer.from([0x31]), { qos: 1 });
      assert.deepEqual(got.sort(), [
        '# plug/1/power=12.5',
        '# plug/2/power=1',
        'plug/# plug/1/power=12.5',
        'plug/# plug/2/power=1',
        'plug/+/power plug/1/power=12.5',
        'plug/+/power plug/2/power=1',
        'plug/1/power plug/1/power=12.5',
      ]);
    });

    it('stops one handler at its unsubscribe (twice is harmless); the others go on', async () => {
      const { port } = await make();
      const gone: string[] = [];
      const twin: string[] = [];
      const unsubscribe = port.subscribe('hub/x', (_t, payload) => gone.push(payload.toString()));
      port.subscribe('hub/x', (_t, payload) => twin.push(payload.toString()));
      await port.publish('hub/x', 'one');
      unsubscribe();
      unsubscribe();
      await port.publish('hub/x', 'two');
      assert.deepEqual(gone, ['one']);
      assert.deepEqual(twin, ['one', 'two']);
    });

    it('lets a handler unsubscribe itself: nothing more reaches it', async () => {
      const { port } = await make();
      const got: string[] = [];
      const unsubscribe = port.subscribe('hub/once', (_t, payload) => {
        got.push(payload.toString());
        unsubscribe();
      });
      await port.publish('hub/once', 'a');
      await port.publish('hub/once', 'b');
      assert.deepEqual(got, ['a']);
    });

    it("keeps $ topics from '#' and '+/…' filters, and gives them to a filter naming them", async () => {
      const { port } = await make();
      const got: string[] = [];
      for (const filter of ['#', '+/test', '$hub/#'])
        port.subscribe(filter, (topic) => got.push(`${filter} ${topic}`));
      await port.publish('$hub/test', 'x');
      assert.deepEqual(got, ['$hub/# $hub/test']);
    });

    it('goes on delivering when one handler throws, and the publish still resolves', async () => {
      const { port } = await make();
      const got: string[] = [];
      port.subscribe('hub/t', () => {
        throw new Error('a faulty reader');
      });
      port.subscribe('hub/t', (_t, payload) => got.push(payload.toString()));
      await port.publish('hub/t', '1');
      await port.publish('hub/t', '2');
      assert.deepEqual(got, ['1', '2']);
    });

    it('refuses an invalid topic (publish rejects, subscribe throws) and delivers nothing', async () => {
      const { port } = await make();
      const got: string[] = [];
      port.subscribe('#', (topic) => got.push(topic));
      for (const topic of ['hub/+/x', 'hub/#', ''])
        await assert.rejects(port.publish(topic, '1'), (err: unknown) => {
          assert.ok(err instanceof MqttPublishError);
          assert.equal(err.topic, topic);
          assert.equal(err.message, `MQTT message to ${topic} not published: invalid topic name`);
          return true;
        });
      assert.throws(() => port.subscribe('a/#/b', () => undefined), /invalid MQTT topic filter: "a\/#\/b"/);
      assert.throws(() => port.subscribe('a/b+', () => undefined), /invalid MQTT topic filter/);
      assert.deepEqual(got, []);
    });

    it('rejects a publish while stopped, and keeps subscriptions across a restart', async () => {
      const { port, start, stop } = await make();
      const kept: string[] = [];
      const dropped: string[] = [];
      port.subscribe('hub/r', (_t, payload) => kept.push(payload.toString()));
      const unsubscribe = port.subscribe('hub/r', (_t, payload) => dropped.push(payload.toString()));
      await port.publish('hub/r', 'before');
      await stop();
      await assert.rejects(port.publish('hub/r', 'while stopped'), (err: unknown) => {
        assert.ok(err instanceof MqttPublishError);
        assert.equal(err.message, 'MQTT message to hub/r not published: the broker is not running');
        return true;
      });
      unsubscribe(); // while stopped
      const late: string[] = [];
      port.subscribe('hub/r', (_t, payload) => late.push(payload.toString()));
      await start();
      await port.publish('hub/r', 'after');
      assert.deepEqual(kept, ['before', 'after']);
      assert.deepEqual(dropped, ['before']);
      assert.deepEqual(late, ['after']);
    });
  });
}
