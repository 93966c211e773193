import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { ensureTlsMaterial, type TlsMaterial } from '../../../src/broker/certificates.process.js';
import { ManualClock, systemClock } from '../../../src/shared/clock.js';
import { silentLog } from '../../../src/shared/logger.js';
import { encodeSignedCommand, type RemoteCommand } from '../../../src/updater/remote-command.js';
import type { RemoteUpdateOrder, UpdateProgress, UpdateTriggers } from '../../../src/updater/update-inbox.js';
import { fileReplayMark } from '../../../src/uplink/replay-mark.fs.js';
import { mqttUplink } from '../../../src/uplink/uplink-client.net.js';
import { UplinkService } from '../../../src/uplink/uplink-service.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const teardown = useTeardown();
const HUB_ID = 'hub-1';
const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const dir = makeTempDir(teardown, 'hub-uplink-');
const tls: TlsMaterial = ensureTlsMaterial(join(dir, 'tls'), silentLog, { nowMs: () => Date.now() });

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (let waitedMs = 0; !check(); waitedMs += 20) {
    if (waitedMs > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Aedes keeps its connected clients in `clients`; its type definitions do not declare it.
const clientsOf = (broker: Aedes) =>
  (broker as unknown as { clients: Record<string, { close(): void; conn: { destroy(): void } }> }).clients;

/** The project server: Aedes over TLS, with a login for the hub and one for the server's own app. */
async function startServer(port = 0): Promise<{ port: number; server: TlsServer; broker: Aedes }> {
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) =>
      done(null, (username === HUB_ID && password?.toString() === 'pw-hub') || username === 'project'),
  });
  const server = createTlsServer({ key: tls.keyPem, cert: tls.certPem }, (socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const client of Object.values(clientsOf(broker))) client.close();
    await new Promise((resolve) => server.close(resolve));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  };
  teardown.add(close);
  return { port: (server.address() as AddressInfo).port, server, broker };
}

/** The project server's own app: sends commands, reads results and retained state. */
async function projectClient(
  port: number,
): Promise<{ client: MqttClient; got: { topic: string; text: string; retain: boolean }[] }> {
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
    username: 'project',
    ca: tls.caCertPem,
    reconnectPeriod: 0,
  });
  teardown.add(() => client.endAsync(true));
  const got: { topic: string; text: string; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) =>
    got.push({ topic, text: payload.toString(), retain: packet.retain }),
  );
  await client.subscribeAsync(`hubs/${HUB_ID}/#`, { qos: 1 });
  return { client, got };
}

class RecordingTriggers implements UpdateTriggers {
  readonly orders: RemoteUpdateOrder[] = [];
  private readonly listeners = new Set<(p: UpdateProgress) => void>();
  current: UpdateProgress = { state: 'idle', currentVersion: '1.0.0' };
  fromRemote(order: RemoteUpdateOrder): void {
    this.orders.push(order);
  }
  progress(): UpdateProgress {
    return this.current;
  }
  onProgress(listener: (p: UpdateProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(progress: UpdateProgress): void {
    this.current = progress;
    for (const l of this.listeners) l(progress);
  }
}

async function startHub(port: number, opts: { publicKey?: KeyObject | undefined; name: string }) {
  const updates = new RecordingTriggers();
  const clock = new ManualClock(Date.parse('2026-11-28T06:00:00Z'));
  const markFile = join(dir, `${opts.name}-mark.json`);
  const service = new UplinkService({
    connect: mqttUplink(
      {
        url: `mqtts://127.0.0.1:${port}`,
        hubId: HUB_ID,
        username: HUB_ID,
        password: 'pw-hub',
        caFile: tls.caFile,
        topicPrefix: 'hubs',
        minReconnectMs: 100,
        maxReconnectMs: 400,
      },
      systemClock,
    ),
    updates,
    publicKey: 'publicKey' in opts ? opts.publicKey : keys.publicKey,
    replay: fileReplayMark(markFile),
    url: `mqtts://127.0.0.1:${port}`,
    hubId: HUB_ID,
    topicPrefix: 'hubs',
    clock,
    log: silentLog,
  });
  await service.start();
  teardown.add(() => service.stop());
  return { service, updates, clock, markFile };
}

function command(over: Partial<RemoteCommand> = {}): RemoteCommand {
  return {
    format: 1,
    type: 'update',
    id: 'cmd-1',
    hubId: HUB_ID,
    issuedAt: '2026-11-28T05:59:00.000Z',
    expiresAt: '2026-11-29T05:59:00.000Z',
    version: '1.1.0',
    url: 'https://updates.example.org/hub-1.1.0.bundle',
    sha256: 'b'.repeat(64),
    bytes: 4242,
    ...over,
  };
}

const results = (got: { topic: string; text: string }[]) =>
  got
    .filter((m) => m.topic === `hubs/${HUB_ID}/command/result`)
    .map((m) => JSON.parse(m.text) as Record<string, unknown>);

describe('server connection (uplink)', () => {
  it('accepts a signed command once and refuses unsigned, other-key, replayed and wrong-hub ones', async () => {
    const { port } = await startServer();
    const hub = await startHub(port, { name: 'a' });
    await until('the hub connects', () => hub.service.view().connected);
    const project = await projectClient(port);
    const send = (wire: string) => project.client.publishAsync(`hubs/${HUB_ID}/command`, wire, { qos: 1 });

    await send(encodeSignedCommand(command(), keys.privateKey));
    await until('the first result', () => results(project.got).length === 1);
    assert.deepEqual(results(project.got)[0], { id: 'cmd-1', accepted: true });
    assert.deepEqual(hub.updates.orders, [
      { id: 'cmd-1', version: '1.1.0', url: command().url, sha256: 'b'.repeat(64), bytes: 4242 },
    ]);
    assert.deepEqual(JSON.parse(readFileSync(hub.markFile, 'utf8')), {
      lastIssuedAtMs: Date.parse(command().issuedAt),
    });

    const unsigned = JSON.stringify({
      command: Buffer.from(
        JSON.stringify(command({ id: 'cmd-2', issuedAt: '2026-11-28T05:59:30.000Z' })),
      ).toString('base64'),
      signature: Buffer.alloc(64).toString('base64'),
    });
    await send(unsigned);
    await send(
      encodeSignedCommand(
        command({ id: 'cmd-3', issuedAt: '2026-11-28T05:59:30.000Z' }),
        otherKeys.privateKey,
      ),
    );
    await send(encodeSignedCommand(command(), keys.privateKey)); // the same command again
    await send(
      encodeSignedCommand(
        command({ id: 'cmd-4', hubId: 'hub-2', issuedAt: '2026-11-28T05:59:30.000Z' }),
        keys.privateKey,
      ),
    );
    await until('four more results', () => results(project.got).length === 5);
    assert.deepEqual(
      results(project.got)
        .slice(1)
        .map((r) => [r.accepted, r.code]),
      [
        [false, 'bad-signature'],
        [false, 'bad-signature'],
        [false, 'replay'],
        [false, 'wrong-hub'],
      ],
    );
    assert.equal(hub.updates.orders.length, 1);
    assert.equal(hub.service.view().refusedCommands, 4);
  });

  it('refuses every command without an update key', async () => {
    const { port } = await startServer();
    const hub = await startHub(port, { name: 'b', publicKey: undefined });
    await until('the hub connects', () => hub.service.view().connected);
    const project = await projectClient(port);
    await project.client.publishAsync(
      `hubs/${HUB_ID}/command`,
      encodeSignedCommand(command(), keys.privateKey),
      { qos: 1 },
    );
    await until('a result', () => results(project.got).length === 1);
    assert.equal(results(project.got)[0]?.code, 'no-update-key');
    assert.deepEqual(hub.updates.orders, []);
    assert.equal(existsSync(hub.markFile), false);
  });

  it('says online (retained), and offline by its last will when its connection dies', async () => {
    const { port, broker } = await startServer();
    const hub = await startHub(port, { name: 'c' });
    await until('the hub connects', () => hub.service.view().connected);
    const project = await projectClient(port);
    const statuses = () => project.got.filter((m) => m.topic === `hubs/${HUB_ID}/status`);
    await until('the retained status', () => statuses().length === 1);
    assert.deepEqual(statuses()[0], { topic: `hubs/${HUB_ID}/status`, text: 'online', retain: true });
    // The connection dies without a DISCONNECT (as when the hub loses power or its network).
    clientsOf(broker)[`hub-${HUB_ID}`]?.conn.destroy();
    await until('offline, then online again', () => statuses().length >= 3);
    assert.deepEqual(
      statuses()
        .slice(1, 3)
        .map((m) => m.text),
      ['offline', 'online'],
    );
  });

  it('publishes update progress retained, download progress at most once a second', async () => {
    const { port } = await startServer();
    const hub = await startHub(port, { name: 'd' });
    await until('the hub connects', () => hub.service.view().connected);
    const downloading = (receivedBytes: number): UpdateProgress => ({
      state: 'downloading',
      id: 'cmd-1',
      source: 'remote',
      receivedBytes,
      totalBytes: 100,
      currentVersion: '1.0.0',
    });
    hub.updates.emit(downloading(10));
    hub.updates.emit(downloading(20)); // within the second: held
    hub.updates.emit(downloading(30)); // replaces the held one
    hub.clock.tick(1000);
    hub.updates.emit({ state: 'waiting', id: 'cmd-1', source: 'remote', currentVersion: '1.0.0' });
    const project = await projectClient(port); // a late subscriber gets the retained latest
    const updates = () => project.got.filter((m) => m.topic === `hubs/${HUB_ID}/update`);
    await until('the retained progress', () => updates().length === 1);
    assert.equal(updates()[0]?.retain, true);
    assert.equal((JSON.parse(updates()[0]!.text) as UpdateProgress).state, 'waiting');

    hub.clock.tick(5000);
    hub.updates.emit(downloading(40));
    hub.updates.emit(downloading(50));
    await until('one download progress', () => updates().length === 2);
    hub.clock.tick(999);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(updates().length, 2);
    hub.clock.tick(1);
    await until('the held progress', () => updates().length === 3);
    assert.deepEqual(
      updates()
        .slice(1)
        .map((m) => (JSON.parse(m.text) as { receivedBytes: number }).receivedBytes),
      [40, 50],
    );
  });

  it('starts while the server is down and connects when it comes up', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const hub = await startHub(port, { name: 'e' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(hub.service.view().connected, false);
    assert.equal(hub.service.status().state, 'degraded');
    assert.equal(hub.service.neededForReady, false);
    assert.match(hub.service.view().lastError ?? '', /ECONNREFUSED/);
    await startServer(port);
    await until('the hub connects', () => hub.service.view().connected);
    assert.equal(hub.service.status().state, 'ready');
    assert.equal(hub.service.view().lastError, null);
  });
});
