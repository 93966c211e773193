import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { Level } from 'level';
import { MqttBroker } from '../../../src/broker/mqtt-broker.net.js';
import type { BrokerPrincipal } from '../../../src/broker/principal.js';
import { PairingLine } from '../../../src/broker/pairing-line.js';
import { topicsFor } from '../../../src/devices/device-topics.js';
import { systemClock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import type { Logger } from '../../../src/shared/logger.js';
import { mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// Issue 10, item 1: after a crash (SIGKILL) of hubd, Aedes publishes the dead run's wills with no
// client. Simulated here: the wills a dead broker left in LevelDB, and a heartbeat of 50 ms so the
// will sweep (every 4 heartbeats) runs at once instead of after 4 minutes.

const teardown = useTeardown();

function capturingLogger(lines: string[]): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_fields, msg) => void lines.push(msg),
    error: (_fields, msg) => void lines.push(msg),
    child: () => log,
  };
  return log;
}

const plug = (deviceId: number, name: string): BrokerPrincipal => ({
  kind: 'device',
  deviceId,
  username: name,
  publishExcept: [],
  ...topicsFor('tasmota', name),
});

/** `devices`: the ids of the devices that exist in this run (the others were deleted). */
function startBroker(persistenceDir: string, lines: string[], devices = [1, 2]): Promise<MqttBroker> {
  const principals: Record<string, BrokerPrincipal> = {
    plug1: plug(1, 'plug1'),
    plug2: plug(2, 'plug2'),
    ann: { kind: 'user', username: 'ann', role: 'admin' },
  };
  const owners: Record<string, BrokerPrincipal> = {
    'user:ann:admin': principals.ann!,
    ...Object.fromEntries(devices.map((id) => [`device:${id}`, principals[`plug${id}`]!])),
  };
  const broker = new MqttBroker(
    {
      host: '127.0.0.1',
      port: 0,
      tls: { enabled: false, host: '127.0.0.1', port: 0 },
      websocket: { enabled: false },
      limits: {
        maxPacketBytes: 65_536,
        maxConnections: 16,
        connectTimeoutS: 10,
        keepaliveMaxS: 3600,
        publishRatePerS: 50,
        publishBurst: 500,
        offlineQueueMax: 100,
        maxPreAuthConnections: 16,
        maxPreAuthPerAddress: 16,
      },
      sysIntervalS: 10,
      acl: [],
      heartbeatIntervalMs: 50,
    },
    {
      authenticate: (username, password) =>
        Promise.resolve(password?.toString() === 'pw' && username ? principals[username] : undefined),
      resolveOwner: (owner) => owners[owner],
      persistenceDir,
      pairing: new PairingLine(),
      tls: () => {
        throw new Error('no TLS here');
      },
      onUpgrade: () => undefined,
      bus: new EventBus(capturingLogger([])),
      clock: systemClock,
      log: capturingLogger(lines),
      version: 'test',
    },
  );
  teardown.add(() => broker.stop());
  return broker.start().then(() => broker);
}

describe('wills of a broker that crashed', () => {
  it('publishes only the wills authorised for their client id at CONNECT', async () => {
    const dir = join(makeTempDir(teardown), 'mqtt');
    const lines: string[] = [];
    // A first run: the plug connects under two client ids, one of them with a will.
    const first = await startBroker(dir, lines);
    const url1 = `mqtt://127.0.0.1:${first.ports().tcp}`;
    const will = { topic: 'tele/plug1/LWT', payload: Buffer.from('Offline'), qos: 1 as const, retain: true };
    const withWill = await mqttClient(teardown, url1, {
      username: 'plug1',
      password: 'pw',
      clientId: 'DVES_1',
      will,
    });
    await withWill.endAsync();
    const noWill = await mqttClient(teardown, url1, {
      username: 'plug1',
      password: 'pw',
      clientId: 'DVES_2',
    });
    await noWill.endAsync();
    await first.stop();

    // What a killed run leaves behind: its wills in LevelDB, under its broker id. DVES_2's will
    // on another device's command topic is what the unchecked CONNECT used to store.
    const db = new Level<string, unknown>(dir);
    const persistence = new AsyncLevelPersistence(db);
    await persistence.putWill({ id: 'DVES_1' }, { ...will });
    await persistence.putWill(
      { id: 'DVES_2' },
      { topic: 'cmnd/plug2/POWER', payload: Buffer.from('OFF'), qos: 1, retain: true },
    );
    await persistence.putWill(
      { id: 'stranger' },
      { topic: 'cmnd/plug2/POWER', payload: Buffer.from('OFF'), qos: 1, retain: true },
    );
    await persistence.destroy();

    const second = await startBroker(dir, lines);
    await new Promise((r) => setTimeout(r, 600)); // three will sweeps
    const reader = await mqttClient(teardown, `mqtt://127.0.0.1:${second.ports().tcp}`, {
      username: 'ann',
      password: 'pw',
    });
    const lwt = nextMessage(reader, (t) => t === 'tele/plug1/LWT');
    const command = nextMessage(reader, (t) => t === 'cmnd/plug2/POWER', 500).then(
      (m) => `retained ${m.payload}`,
      () => 'nothing',
    );
    await reader.subscribeAsync(['tele/plug1/LWT', 'cmnd/plug2/POWER']);
    assert.deepEqual(await lwt, { topic: 'tele/plug1/LWT', payload: 'Offline', retain: true });
    assert.equal(await command, 'nothing');
    const dropped = lines.filter((l) => l.includes('will of a previous run not authorised'));
    assert.equal(dropped.length, 2, 'each refused will is dropped once, not retried every sweep');
    assert.equal(second.counters.deniedPublishes, 2);
  });

  it("drops a deleted device's will and frees its client ids at start (a delete while hubd was down)", async () => {
    const dir = join(makeTempDir(teardown), 'mqtt');
    const lines: string[] = [];
    const first = await startBroker(dir, lines);
    const url1 = `mqtt://127.0.0.1:${first.ports().tcp}`;
    const will = { topic: 'tele/plug2/LWT', payload: Buffer.from('Offline'), qos: 1 as const, retain: true };
    const plug2 = await mqttClient(teardown, url1, {
      username: 'plug2',
      password: 'pw',
      clientId: 'DVES_3',
      will,
    });
    await plug2.endAsync();
    await first.stop();
    const db = new Level<string, unknown>(dir);
    const persistence = new AsyncLevelPersistence(db);
    await persistence.putWill({ id: 'DVES_3' }, { ...will });
    await persistence.destroy();

    // plug2 (device 2) was deleted while the broker was down.
    const second = await startBroker(dir, lines, [1]);
    await new Promise((r) => setTimeout(r, 600)); // three will sweeps
    const url2 = `mqtt://127.0.0.1:${second.ports().tcp}`;
    const reader = await mqttClient(teardown, url2, { username: 'ann', password: 'pw', clientId: 'DVES_3' });
    const lwt = nextMessage(reader, (t) => t === 'tele/plug2/LWT', 500).then(
      (m) => `retained ${m.payload}`,
      () => 'nothing',
    );
    await reader.subscribeAsync('tele/plug2/LWT');
    assert.equal(await lwt, 'nothing');
    assert.equal(second.counters.deniedPublishes, 1);
  });
});
