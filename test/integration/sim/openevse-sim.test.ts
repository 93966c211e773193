import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { OpenevseSim } from '../../../scripts/sim/openevse-sim.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import { addDevice, brokerLogins, loginRecordingBroker, Recorder, settle } from './sim-helpers.js';

// The OpenEVSE v4 simulator through the hub with the charger's own login.
const teardown = useTeardown();
const BASE = 'openevse-7b2c';
let hub: TestHub;
let admin: HttpClient;
let url: string;
let observer: MqttClient;
let rec: Recorder;
/** `<clientId> <principal>:<username>` per connection the hub's broker let in. */
let logins: string[];

/** The retained message on `topic`, as a client subscribing now gets it. */
async function retained(topic: string): Promise<string> {
  const late = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
  const got = new Recorder(late).next(topic);
  await late.subscribeAsync(topic);
  const { payload } = await got;
  await late.endAsync();
  return payload;
}

/** The next value of status key `key` equal to `value`. */
const status = (key: string, value: string, timeoutMs?: number) =>
  rec.next(`${BASE}/${key}`, value, timeoutMs);

describe('OpenEVSE simulator through the hub', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    observer = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await observer.subscribeAsync([`${BASE}/#`, 'openevse/announce/#']);
    rec = new Recorder(observer);
    logins = brokerLogins(hub, teardown);
  });

  it('announces, publishes status and retained state, obeys override and energy limit, and leaves by its will', async () => {
    const login = await addDevice(admin, 'EV charger', 'openevse', BASE);
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
    const sim = new OpenevseSim({ clock, id: 'c44f330d7b2c', voltageV: 240, ip: '192.168.1.43' });
    teardown.add(() => sim.stop());
    const announce = rec.next('openevse/announce/7b2c');
    const idle = status('state', '1');
    await sim.start({ url, ...login });
    assert.deepEqual(JSON.parse((await announce).payload), {
      state: 'connected',
      id: 'c44f330d7b2c',
      name: BASE,
      mqtt: BASE,
      http: 'http://192.168.1.43/',
    });
    await idle;
    assert.equal(await retained(`${BASE}/override`), '{"state":"null"}');
    assert.equal(await retained(`${BASE}/limit`), '{"type":"none","value":0,"auto_release":true}');
    assert.equal(await retained(`${BASE}/claim`), '{"state":"null"}');

    // A vehicle plugs in and draws the pilot (32 A) at 240 V.
    const charging = status('state', '3');
    const amp = status('amp', '32000');
    const power = status('power', '7680');
    await sim.plugIn();
    await Promise.all([charging, amp, power]);

    // The hub's way to set a current: an override with charge_current.
    const pilot = status('pilot', '16');
    await observer.publishAsync(`${BASE}/override/set`, '{"state":"active","charge_current":16}', { qos: 1 });
    await pilot;
    assert.equal(
      await retained(`${BASE}/override`),
      '{"state":"active","charge_current":16,"auto_release":false}',
    );

    // An energy limit in Wh: 1 kWh at 16 A × 240 V = 3840 W is reached after 937.5 s.
    await observer.publishAsync(`${BASE}/limit/set`, '{"type":"energy","value":1000}', { qos: 1 });
    await settle(200);
    assert.equal(await retained(`${BASE}/limit`), '{"type":"energy","value":1000,"auto_release":true}');
    const every30s = status('session_energy', '32', 2000); // 3840 W × 30 s = 32 Wh
    await clock.tickAsync(30_000);
    await every30s;
    const sleeping = status('state', '254');
    for (let s = 0; s < 910; s += 10) await clock.tickAsync(10_000);
    await sleeping;
    assert.equal(sim.charging, false);
    assert.ok(sim.powerW === 0);

    // Clearing the override and the limit lets it charge again at the charger's maximum.
    const released = status('manual_override', '0');
    await observer.publishAsync(`${BASE}/override/set`, 'clear', { qos: 1 });
    await released;
    assert.equal(await retained(`${BASE}/override`), '{"state":"null"}');
    const resumed = status('state', '3');
    await observer.publishAsync(`${BASE}/limit/set`, 'clear', { qos: 1 });
    await resumed;

    // Its button toggles a manual override: disabled.
    const disabled = status('status', 'disabled');
    await sim.press();
    await disabled;
    assert.equal(await retained(`${BASE}/override`), '{"state":"disabled","auto_release":true}');

    const gone = rec.next(
      'openevse/announce/7b2c',
      JSON.stringify({ state: 'disconnected', id: 'c44f330d7b2c', name: BASE }),
    );
    sim.powerOff();
    await gone;
  });

  it('takes a new login and base topic by config/set, reconnects at once and announces the new base', async () => {
    // Set up by hand with base `evse-setup` (ann stands for the pairing login); the hub gives it
    // its own login and its default base, the host name.
    const login = await addDevice(admin, 'Garage charger', 'openevse', 'openevse-9a1e');
    const sim = new OpenevseSim({ id: 'c44f330d9a1e', hostname: 'openevse-9a1e', base: 'evse-setup' });
    teardown.add(() => sim.stop());
    await observer.subscribeAsync(['evse-setup/#', 'openevse-9a1e/#']);
    const first = rec.next('openevse/announce/9a1e');
    await sim.start({ url, username: 'ann', password: 'ann-password' });
    assert.equal((JSON.parse((await first).payload) as { mqtt: string }).mqtt, 'evse-setup');

    // Not JSON, not an object, or no MQTT setting: nothing changes, no reconnect.
    for (const body of ['{"mqtt_user":', '["mqtt_user"]', '{"divert_enabled":true,"mqtt_port":"1883"}'])
      await observer.publishAsync('evse-setup/config/set', body, { qos: 1 });
    await settle(300);
    assert.deepEqual([sim.base, sim.connectCount, sim.connected], ['evse-setup', 1, true]);

    const mark = rec.mark;
    const announce = rec.next(
      'openevse/announce/9a1e',
      JSON.stringify({
        state: 'connected',
        id: 'c44f330d9a1e',
        name: 'openevse-9a1e',
        mqtt: 'openevse-9a1e',
        http: 'http://192.168.1.43/',
      }),
    );
    const idle = rec.next('openevse-9a1e/state', '1');
    await observer.publishAsync(
      'evse-setup/config/set',
      JSON.stringify({
        mqtt_user: login.username,
        mqtt_pass: login.password,
        mqtt_topic: 'openevse-9a1e',
        divert_enabled: false,
      }),
      { qos: 1 },
    );
    await announce;
    await idle;
    assert.deepEqual([sim.base, sim.connectCount], ['openevse-9a1e', 2]);
    assert.deepEqual(
      logins.filter((l) => l.startsWith('openevse-9a1e ')),
      ['openevse-9a1e user:ann', `openevse-9a1e device:${login.username}`],
      'its host name as client id, let in as ann, then as the device',
    );
    const seen = rec.since(mark);
    assert.ok(!seen.some((l) => l.includes('"disconnected"')), 'a clean disconnect: no will');
    const fromDevice = seen.filter((l) => !l.startsWith('evse-setup/config/set '));
    assert.ok(!fromDevice.some((l) => l.includes(login.password)), 'the password is never echoed');
    // Commands now come on the new base.
    const disabled = rec.next('openevse-9a1e/status', 'disabled');
    await observer.publishAsync('openevse-9a1e/override/set', '{"state":"disabled"}', { qos: 1 });
    await disabled;
  });

  it('connects with no user name when started with a pairing login', async () => {
    const broker = await loginRecordingBroker(teardown);
    const sim = new OpenevseSim({ id: 'c44f330d9a1f' });
    teardown.add(() => sim.stop());
    await sim.start({ url: broker.url });
    assert.deepEqual(broker.logins, [
      { clientId: 'openevse-9a1f', username: undefined, password: undefined },
    ]);
  });
});
