import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import type { PairingStateView } from '../../../src/api/contract.js';
import { EmonespSim } from '../../../scripts/sim/emonesp-sim.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import { addDevice, Recorder, settle } from './sim-helpers.js';

// The EmonESP simulator: its control channel through the hub with its own login, and pairing end
// to end — the hub's beacon on UDP → the auth request → an admin allows → user:pass:basetopic →
// MQTT → describe.
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let url: string;
let observer: MqttClient;
let rec: Recorder;
let beaconSim: EmonespSim;
let beaconPort: number;
const simClock = new ManualClock(Date.UTC(2026, 10, 27, 12));

describe('EmonESP simulator through the hub', () => {
  before(async () => {
    // The plug listens first, so the hub's beacon can be pointed at its port.
    beaconSim = new EmonespSim({ clock: simClock, nodeName: 'smartplug7' });
    teardown.add(() => beaconSim.stop());
    beaconPort = await beaconSim.listenForBeacon(0, '127.0.0.1');
    ({ hub, admin } = await startHubWithAdmin(teardown, {
      config: { pairing: { mdns: false, beaconAddress: '127.0.0.1', beaconPort } },
    }));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    // This test's web port (the firmware's is 80); its MQTT port comes with the pairing answer.
    beaconSim.httpPort = Number(new URL(hub.baseUrl).port);
    observer = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await observer.subscribeAsync(['emon/#']);
    rec = new Recorder(observer);
  });

  it('says describe, obeys in/ctrlmode exactly as the firmware parses it and answers in/state', async () => {
    const login = await addDevice(admin, 'Plug', 'emonesp', 'plug1');
    const sim = new EmonespSim({ nodeName: 'smartplug1', ip: '192.168.1.23' });
    teardown.add(() => sim.stop());
    const describe = rec.next('emon/plug1/smartplug1/describe', 'smartplug');
    await sim.useCredentials(url, login.username, login.password, 'emon/plug1');
    await describe;
    const cases: [string, string, boolean][] = [
      ['On', 'On', true],
      ['0', 'Off', false],
      ['1', 'On', true],
      ['on', 'Off', false], // case-sensitive: anything else is Off
      ['2', 'Timer', false], // timers 0000–0000: never inside
      ['Timer', 'Timer', false],
      ['garbage', 'Off', false],
    ];
    for (const [payload, mode, relay] of cases) {
      // The firmware's bytes (the hub's driver may ask in/state too: wait for this answer).
      const reply = rec.next(
        'emon/plug1/smartplug1/out/state',
        `{"ip":"192.168.1.23","ctrlmode":"${mode}","timer":"0 0 0 0","vout":"0"}`,
      );
      await observer.publishAsync('emon/plug1/smartplug1/in/ctrlmode', payload, { qos: 1 });
      await observer.publishAsync('emon/plug1/smartplug1/in/state', '', { qos: 1 });
      await reply;
      assert.equal(sim.relayOn, relay, `ctrlmode ${payload}`);
    }
    const pressed = rec.next('emon/plug1/smartplug1/out/ctrlmode', 'On');
    await sim.press();
    await pressed;
    // A serial line: each key on <base>/<key>, then <base>/<node>/freeram.
    const power = rec.next('emon/plug1/P', '120');
    const freeram = rec.next('emon/plug1/smartplug1/freeram', '25000');
    await sim.input('P:120');
    await power;
    await freeram;
  });

  it('pairs end to end: beacon → auth request → allow → credentials → MQTT → describe', async () => {
    const paired = beaconSim.paired();
    const sent = await admin.request('POST', '/api/v1/pairing/beacon');
    assert.equal(sent.status, 200, sent.text);
    // The hub's beacon names the server (its sender address); the plug asks at once.
    let pending: PairingStateView | undefined;
    for (let i = 0; i < 50 && !pending?.requests.some((r) => r.ip === '127.0.0.1'); i++) {
      await settle(50);
      pending = (await admin.request('GET', '/api/v1/pairing')).body as PairingStateView;
    }
    assert.ok(
      pending?.requests.some((r) => r.ip === '127.0.0.1'),
      JSON.stringify(pending),
    );
    assert.equal(beaconSim.server, '127.0.0.1');
    assert.equal(beaconSim.authFlag, 1, 'still asking: "request registered" has no colon');
    const allowed = await admin.request('POST', '/api/v1/pairing/requests/127.0.0.1/allow', {
      json: { name: 'Hall plug' },
    });
    assert.equal(allowed.status, 201, allowed.text);
    const { topicName } = allowed.body as { topicName: string };
    // Its 10 s retry fetches the one-time answer and connects with it.
    const describe = rec.next(`emon/${topicName}/smartplug7/describe`, 'smartplug', 8000);
    const connected = beaconSim.nextConnect();
    await simClock.tickAsync(10_000);
    const creds = await paired;
    assert.equal(creds.basetopic, `emon/${topicName}`);
    assert.equal(beaconSim.mqttPort, hub.mqttPort, "the answer's 4th part: the hub is not on 1883");
    await describe;
    await connected;
    assert.equal(beaconSim.authFlag, 2);
    // Its own login carries its control channel.
    const reply = rec.next(`emon/${topicName}/smartplug7/out/state`);
    await observer.publishAsync(`emon/${topicName}/smartplug7/in/state`, '', { qos: 1 });
    assert.equal((JSON.parse((await reply).payload) as { ctrlmode: string }).ctrlmode, 'Off');
  });

  it('asks only on the exact emonpi.local, not again for the server it has, every 10 s, and saves only 3 or 4 parts', async () => {
    // A stand-in for the server: counts the auth requests and answers what the test says.
    const answers = [
      'Authentication request registered for IP 127.0.0.1',
      'server error: connection refused',
      'u:p',
      'u:p:emon/x:1884',
    ];
    let asked = 0;
    const server = createServer((req, res) => {
      assert.equal(req.url, '/emoncms/device/auth/request.json');
      res.end(answers[Math.min(asked++, answers.length - 1)]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    teardown.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
    const sim = new EmonespSim({ clock, httpPort: (server.address() as AddressInfo).port });
    teardown.add(() => sim.stop());
    const port = await sim.listenForBeacon(0, '127.0.0.1');
    const udp = createSocket('udp4');
    teardown.add(() => new Promise<void>((resolve) => udp.close(() => resolve())));
    const send = (text: string | Buffer) =>
      new Promise<void>((resolve, reject) =>
        udp.send(text, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
    for (const wrong of ['emonpi.loca', 'emonpi.local\n', 'EMONPI.LOCAL', 'emonpi.local.']) await send(wrong);
    await settle(200);
    assert.deepEqual([sim.server, asked], [undefined, 0]);
    await send(Buffer.from('emonpi.local\0junk')); // strcmp stops at the NUL
    await settle(200);
    assert.deepEqual([sim.server, asked, sim.authFlag], ['127.0.0.1', 1, 1]);
    await send('emonpi.local'); // from the server it already has: ignored
    await settle(200);
    assert.equal(asked, 1);
    // "server error: <reason>" and "u:p" split into 2 parts: not credentials (the firmware would
    // take a reason with a second colon as user:pass:topic); every 10 s it asks again.
    const paired = sim.paired();
    await clock.tickAsync(10_000);
    await settle(100);
    assert.deepEqual([asked, sim.authFlag], [2, 1]);
    await clock.tickAsync(10_000);
    await settle(100);
    assert.deepEqual([asked, sim.authFlag], [3, 1]);
    await clock.tickAsync(10_000);
    assert.deepEqual(await paired, { username: 'u', password: 'p', basetopic: 'emon/x' });
    assert.deepEqual([asked, sim.authFlag, sim.mqttPort], [4, 2, 1884]);
    await clock.tickAsync(10_000);
    await settle(100);
    assert.equal(asked, 4, 'it stops asking once it has credentials');
  });
});
