import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { Aedes, type Client, type ConnectPacket, type PublishPacket } from 'aedes';
import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { Level } from 'level';
import {
  connectedClients,
  dropPublishes,
  dropWill,
  filterOfflineEnqueue,
  forceCleanSession,
  inspectReads,
  isStaleWill,
  remoteOf,
  subscribedFilters,
  willClientId,
} from '../../../src/broker/aedes-internals.net.js';
import { mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// Each reliance of the hub on Aedes (and aedes-persistence-level) beyond their declared API,
// checked on a bare Aedes with the hub's persistence: an upgrade that changes one fails here.

const teardown = useTeardown();
let broker: Aedes;
let persistence: AsyncLevelPersistence;
let url: string;
/** What the test's hooks do; each test sets the ones it needs. */
const hooks: {
  inspect?: (chunk: Buffer) => boolean;
  authenticate?: (client: Client, packet: ConnectPacket) => void;
  authorizePublish?: (client: Client | null, packet: PublishPacket) => void;
} = {};

before(async () => {
  persistence = new AsyncLevelPersistence(new Level(join(makeTempDir(teardown), 'mqtt')));
  broker = await Aedes.createBroker({ persistence });
  const connects = new WeakMap<object, ConnectPacket>();
  broker.preConnect = (client, packet, done) => (connects.set(client, packet), done(null, true));
  broker.authenticate = (client, _u, _p, done) => (
    hooks.authenticate?.(client, connects.get(client)!),
    done(null, true)
  );
  broker.authorizePublish = (client, packet, done) => (hooks.authorizePublish?.(client, packet), done(null));
  const server = createServer((socket) => {
    inspectReads(socket, (chunk) => hooks.inspect?.(chunk) ?? true);
    broker.handle(socket as never);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  teardown.add(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await persistence.destroy();
  });
});

describe('what the hub relies on in Aedes', () => {
  it('keeps connected clients by id in broker.clients, with their filters in client.subscriptions', async () => {
    const client = await mqttClient(teardown, url, { clientId: 'lister' });
    await client.subscribeAsync(['a/+', 'b/#']);
    const found = connectedClients(broker).find((c) => c.id === 'lister');
    assert.ok(found, 'the connected client is listed');
    assert.deepEqual(subscribedFilters(found).sort(), ['a/+', 'b/#']);
    assert.equal(remoteOf(found), '127.0.0.1');
    const gone = once(broker, 'clientDisconnect');
    await client.endAsync();
    await gone;
    assert.equal(
      connectedClients(broker).some((c) => c.id === 'lister'),
      false,
    );
  });

  it("publishes a live client's will as the very client.will object; a persisted will has brokerId and clientId", async () => {
    const seen: boolean[] = [];
    hooks.authorizePublish = (client, packet) => {
      if (client && packet.topic === 'tele/x/LWT') seen.push(isStaleWill(client, packet));
    };
    const will = { topic: 'tele/x/LWT', payload: Buffer.from('Offline'), qos: 0 as const, retain: false };
    const client = await mqttClient(teardown, url, { clientId: 'with-will', will });
    const persisted: PublishPacket[] = [];
    for await (const packet of persistence.streamWill({})) persisted.push(packet as PublishPacket);
    const stored = persisted.find((p) => willClientId(p) === 'with-will');
    assert.ok(stored && 'brokerId' in stored, 'the persisted will names its broker and client');
    const live = connectedClients(broker).find((c) => c.id === 'with-will')!;
    assert.equal(isStaleWill(live, stored), true);
    (client.stream as Socket).destroy(); // not a DISCONNECT: the will goes out
    await once(broker, 'clientDisconnect');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [false], "the live will is not taken for a previous run's");
    hooks.authorizePublish = undefined;
  });

  it('sends client publishes through broker.publish, so a dropped one is acknowledged and not delivered', async () => {
    const dropped = new WeakSet<object>();
    hooks.authorizePublish = (_client, packet) => void (packet.topic === 'drop/me' && dropped.add(packet));
    dropPublishes(broker, (packet) => dropped.delete(packet));
    const reader = await mqttClient(teardown, url);
    await reader.subscribeAsync(['drop/me', 'keep/me']);
    const got: string[] = [];
    reader.on('message', (topic) => got.push(topic));
    const writer = await mqttClient(teardown, url);
    await writer.publishAsync('drop/me', 'x', { qos: 1 }); // PUBACK arrives
    const kept = nextMessage(reader, (t) => t === 'keep/me');
    await writer.publishAsync('keep/me', 'y', { qos: 1 });
    await kept;
    assert.deepEqual(got, ['keep/me']);
    hooks.authorizePublish = undefined;
  });

  it('queues for offline sessions through persistence.outgoingEnqueueCombi', async () => {
    const asked: string[][] = [];
    filterOfflineEnqueue(persistence, (subs) => (asked.push(subs.map((s) => s.clientId)), subs));
    const opts = { clientId: 'sleeper', clean: false };
    const sleeper = await mqttClient(teardown, url, opts);
    await sleeper.subscribeAsync('wake/up', { qos: 1 });
    await sleeper.endAsync();
    await new Promise<void>((resolve, reject) =>
      broker.publish(
        { cmd: 'publish', topic: 'wake/up', payload: Buffer.from('now'), qos: 1, retain: false, dup: false },
        (err?: Error | null) => (err ? reject(err) : resolve()),
      ),
    );
    assert.deepEqual(asked, [['sleeper']]);
    const back = await mqttClient(teardown, url, opts);
    assert.equal((await nextMessage(back, (t) => t === 'wake/up')).payload, 'now');
    await back.endAsync();
  });

  it('reads client.clean and the CONNECT packet after authenticate, so a session can be cleaned there', async () => {
    const opts = { clientId: 'resumer', clean: false };
    const first = await mqttClient(teardown, url, opts);
    await first.subscribeAsync('resume/#', { qos: 1 });
    await first.endAsync();
    const kept = await mqttClient(teardown, url, opts);
    assert.equal(kept.options.clean, false);
    assert.deepEqual(subscribedFilters(connectedClients(broker).find((c) => c.id === 'resumer')!), [
      'resume/#',
    ]);
    await kept.endAsync();

    hooks.authenticate = (client, packet) => forceCleanSession(client, packet);
    const cleaned = await mqttClient(teardown, url, opts);
    hooks.authenticate = undefined;
    assert.deepEqual(subscribedFilters(connectedClients(broker).find((c) => c.id === 'resumer')!), []);
    await cleaned.endAsync();
  });

  it('takes the will from client._will after authenticate, so dropWill there leaves none stored or sent', async () => {
    const watcher = await mqttClient(teardown, url);
    await watcher.subscribeAsync('will/#');
    const got: string[] = [];
    watcher.on('message', (topic) => got.push(topic));
    const will = { topic: 'will/dropped', payload: Buffer.from('gone'), qos: 1 as const, retain: false };
    hooks.authenticate = (client, packet) => dropWill(client, packet);
    const dropper = await mqttClient(teardown, url, { clientId: 'dropper', will });
    hooks.authenticate = undefined;
    dropper.stream.destroy();
    const kept = await mqttClient(teardown, url, {
      clientId: 'keeper',
      will: { ...will, topic: 'will/kept' },
    });
    kept.stream.destroy();
    for (let i = 0; i < 150 && !got.includes('will/kept'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ['will/kept'], 'the kept will came, the dropped one did not');
  });

  it("pulls a connection's bytes with conn.read(), so a refused chunk never reaches the parser", async () => {
    const chunks: number[] = [];
    hooks.inspect = (chunk) => (chunks.push(chunk[0]!), false);
    const socket = createConnection(Number(new URL(url).port), '127.0.0.1');
    teardown.add(() => socket.destroy());
    await once(socket, 'connect');
    // CONNECT, MQTT 3.1.1, clean session, keepalive 30, client id "x"
    socket.write(Buffer.from([0x10, 13, 0, 4, 77, 81, 84, 84, 4, 2, 0, 30, 0, 1, 120]));
    const reply = await Promise.race([
      once(socket, 'data').then(() => 'CONNACK'),
      new Promise((r) => setTimeout(() => r('nothing'), 300)),
    ]);
    hooks.inspect = undefined;
    assert.deepEqual(chunks, [0x10], 'the guard saw the CONNECT first');
    assert.equal(reply, 'nothing');
  });
});
