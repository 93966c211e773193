import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient, Packet } from 'mqtt';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { closed, mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';

// Real firmware's traffic (EmonESP src/mqtt.cpp, OpenEVSE src/mqtt.cpp, emonhub's MQTT
// interfacer) through real logins, watched by an administrator.
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let url: string;
let watcher: MqttClient;
let resolveGatewaySecret: (secret: string) => void;
const gatewaySecret = new Promise<string>((resolve) => (resolveGatewaySecret = resolve));

async function addDevice(name: string, kind: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name, kind, topicName } });
  assert.equal(res.status, 201, res.text);
  const { mqttUsername, secret } = res.body as { mqttUsername: string; secret: string };
  return { username: mqttUsername, password: secret };
}

/** Publishes and tells whether the watcher got it (a refused publish is dropped or disconnects). */
async function delivered(client: MqttClient, topic: string, payload = '1', retain = false) {
  const got = nextMessage(watcher, (t) => t === topic, 700).then(
    () => true,
    () => false,
  );
  client.publish(topic, payload, { qos: 0, retain });
  return got;
}

/** The SUBACK's return codes as sent (MQTT.js turns a 0x80 into an error). */
function granted(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: Packet) => {
      if (packet.cmd !== 'suback') return;
      client.off('packetreceive', onPacket);
      resolve(packet.granted as number[]);
    };
    client.on('packetreceive', onPacket);
    client.subscribe(filters, () => undefined);
  });
}

describe('device logins for real firmware', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, {
      config: { mqtt: { legacyLogin: { enabled: true, password: 'legacy-secret' } } },
    }));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    watcher = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await watcher.subscribeAsync(['emon/#', 'emonhub/#', 'openevse/#', 'openevse-a1b2/#']);
  });

  it('lets an emonhub gateway publish every node of an emonPi and its own topics (item 8)', async () => {
    const login = await addDevice('emonPi', 'emonhub', 'emonpi');
    resolveGatewaySecret(login.password);
    const emonhub = await mqttClient(teardown, url, login);
    assert.equal(await delivered(emonhub, 'emon/emonpi/power1', '123'), true);
    assert.equal(await delivered(emonhub, 'emon/emontx/power1', '45'), true, 'a second node');
    assert.equal(await delivered(emonhub, 'emon/emontx/rssi', '-60'), true);
    assert.equal(await delivered(emonhub, 'emonhub/rx/10/values', '1,2,3'), true);
    assert.deepEqual(await granted(emonhub, ['emonhub/tx/#']), [0]);
    assert.equal(emonhub.connected, true);
    await emonhub.endAsync();
  });

  it('refuses a second gateway, reserved names and overlapping roots with clear errors (item 3)', async () => {
    const cases: [string, string, string, number, RegExp][] = [
      ['emonhub', 'emonbase', 'second gateway', 409, /overlaps emon\/# .*only one gateway may own emon\/#/],
      ['shelly', 'hub', 'hub as a Shelly id', 400, /"hub" is reserved/],
      ['shelly', 'cmnd', 'cmnd', 400, /"cmnd" is reserved \(Tasmota commands\)/],
      ['shelly', 'emon', 'emon', 400, /reserved/],
      ['openevse', 'openevse', 'openevse', 400, /reserved/],
      ['shelly', 'homeassistant', 'HA', 400, /reserved/],
      ['tasmota', '', 'empty', 400, /1 to 64 letters/],
      ['tasmota', '#', 'wildcard', 400, /1 to 64 letters/],
    ];
    for (const [kind, topicName, name, status, message] of cases) {
      const res = await admin.request('POST', '/api/v1/devices', { json: { name, kind, topicName } });
      assert.equal(res.status, status, `${kind} ${topicName}: ${res.text}`);
      assert.match((res.body as { error: string }).error ?? res.text, message);
    }
    await addDevice('Charger', 'openevse', 'openevse-a1b2');
    const clash = await admin.request('POST', '/api/v1/devices', {
      json: { name: 'x', kind: 'shelly', topicName: 'openevse-a1b2' },
    });
    assert.equal(clash.status, 409, clash.text);
    assert.match(
      (clash.body as { error: string }).error,
      /^openevse-a1b2\/# overlaps openevse-a1b2\/# of device \d+ "Charger" \(openevse\)/,
    );
  });

  it('lets OpenEVSE announce, publish its state and subscribe as its firmware does (item 10)', async () => {
    const login = await admin.request('POST', '/api/v1/devices', {
      json: { name: 'EVSE 2', kind: 'openevse', topicName: 'openevse-c3d4' },
    });
    assert.equal(login.status, 201, login.text);
    const { mqttUsername, secret } = login.body as { mqttUsername: string; secret: string };
    await watcher.subscribeAsync('openevse-c3d4/#');
    const evse = await mqttClient(teardown, url, {
      username: mqttUsername,
      password: secret,
      will: {
        topic: 'openevse/announce/c3d4',
        payload: Buffer.from('{"state":"disconnected"}'),
        retain: true,
        qos: 0,
      },
    });
    const announce = '{"state":"connected","id":"c3d4","mqtt":"openevse-c3d4"}';
    assert.equal(await delivered(evse, 'openevse/announce/c3d4', announce, true), true);
    for (const topic of ['amp', 'state', 'config_version', 'override', 'rapi/out']) {
      assert.equal(await delivered(evse, `openevse-c3d4/${topic}`), true, topic);
    }
    const firmware = [
      'openevse-c3d4/rapi/in/#',
      'emon/emonpi/power1',
      'emon/emonpi/vrms',
      ...['divertmode', 'shaper', 'override', 'claim', 'schedule', 'limit', 'config'].map(
        (t) => `openevse-c3d4/${t}/set`,
      ),
      'openevse-c3d4/schedule/clear',
      'openevse-c3d4/restart',
    ];
    assert.deepEqual(
      await granted(evse, firmware),
      firmware.map(() => 0),
    );
    assert.deepEqual(await granted(evse, ['openevse-a1b2/rapi/in/#', 'openevse/announce/#']), [128, 128]);
    assert.equal(await delivered(evse, 'openevse/announce/a1b2'), false, "another charger's announce");
  });

  it('lets EmonESP describe itself and read its commands, and takes its node from the gateway (item 10)', async () => {
    const esp = await mqttClient(teardown, url, await addDevice('Plug', 'emonesp', 'smartplug1'));
    assert.equal(await delivered(esp, 'emon/smartplug1/describe', 'smartplug'), true);
    assert.equal(await delivered(esp, 'emon/smartplug1/out/state', '{}'), true);
    assert.equal(await delivered(esp, 'emon/smartplug1/freeram', '20000'), true);
    assert.deepEqual(await granted(esp, ['emon/smartplug1/in/#', 'emon/smartplug2/in/#']), [0, 128]);
    // emonhub signs in again (as after the add): it keeps its nodes but not the plug's.
    const gateway = await mqttClient(teardown, url, {
      username: 'dev-emonhub-emonpi',
      password: await gatewaySecret,
    });
    assert.equal(await delivered(gateway, 'emon/emontx/power1', '46'), true);
    const command = nextMessage(esp, (t) => t === 'emon/smartplug1/in/ctrlmode', 700).then(
      () => 'delivered',
      () => 'not delivered',
    );
    assert.equal(await delivered(gateway, 'emon/smartplug1/in/ctrlmode', 'On'), false);
    assert.equal(await command, 'not delivered');
  });

  it('disconnects a connected gateway when a device takes a node from it, so it reconnects without that node', async () => {
    const gatewayLogin = { username: 'dev-emonhub-emonpi', password: await gatewaySecret };
    const before = await mqttClient(teardown, url, gatewayLogin);
    assert.equal(await delivered(before, 'emon/smartplug3/power', '1'), true, 'the gateway owns the node');
    await addDevice('Plug 3', 'emonesp', 'smartplug3');
    assert.equal(await closed(before), true, 'the gateway was disconnected');
    const after = await mqttClient(teardown, url, gatewayLogin);
    assert.equal(await delivered(after, 'emon/smartplug3/power', '2'), false);
    assert.equal(await delivered(after, 'emon/emontx/power1', '47'), true);
  });

  it('disconnects a connected legacy login when a device takes a node, so it reconnects without that node', async () => {
    const legacyLogin = { username: 'emonpi', password: 'legacy-secret' };
    const before = await mqttClient(teardown, url, legacyLogin);
    assert.equal(
      await delivered(before, 'emon/smartplug4/power', '1'),
      true,
      'the legacy login owns the node',
    );
    await addDevice('Plug 4', 'emonesp', 'smartplug4');
    assert.equal(await closed(before), true, 'the legacy login was disconnected');
    const after = await mqttClient(teardown, url, legacyLogin);
    assert.equal(await delivered(after, 'emon/smartplug4/power', '2'), false);
    assert.equal(await delivered(after, 'emon/emontx/power1', '48'), true);
  });

  it("refuses node levels that ingest would clean into a device's node (emon/plug:/…, emon/ plug/…)", async () => {
    const gateway = await mqttClient(teardown, url, {
      username: 'dev-emonhub-emonpi',
      password: await gatewaySecret,
    });
    const legacy = await mqttClient(teardown, url, { username: 'emonpi', password: 'legacy-secret' });
    for (const client of [gateway, legacy]) {
      for (const topic of ['emon/smartplug1:/power', 'emon/smartplug1!/power', 'emon/ smartplug1/describe']) {
        assert.equal(await delivered(client, topic, '5'), false, topic);
      }
    }
  });
});
