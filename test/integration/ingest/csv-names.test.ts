import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type { InputJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const clock = new ManualClock(NOW_S * 1000);
let hub: TestHub;
let admin: HttpClient;
let mqtt: MqttClient;
let writeApiKey: string;

const valuesOf = async (node: string) =>
  Object.fromEntries(
    ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[])
      .filter((i) => i.node === node)
      .map((i) => [i.name, i.value]),
  );

// emoncms names comma-separated values from 1 over HTTP (Modules/input/input_methods.php::post,
// `$inputs[$csvi+1]`; ::bulk, `$name = 1`) and from 0 over MQTT (scripts/services/emoncms_mqtt/
// emoncms_mqtt.php::message, `$name = 0`), so on one node the two paths share names shifted by one.
describe('csv values on one node over HTTP and MQTT, named exactly as emoncms names them', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock }));
    ({ writeApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as { writeApiKey: string });
    mqtt = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ann',
      password: 'ann-password',
    });
  });

  it('input/post csv → 1, 2, 3; MQTT emon/<node> csv → 0, 1; input/bulk → 1', async () => {
    const post = await fetch(
      `${hub.baseUrl}/input/post.json?node=meter&csv=100,200,300&apikey=${writeApiKey}`,
    );
    assert.equal(await post.text(), 'ok');
    assert.deepEqual(await valuesOf('meter'), { '1': 100, '2': 200, '3': 300 });

    await mqtt.publishAsync('emon/meter', '7,8');
    await until(async () => (await valuesOf('meter'))['0'] === 7, 3000, 'MQTT csv');
    // MQTT's second value is input 1: the one HTTP's first value went to.
    assert.deepEqual(await valuesOf('meter'), { '0': 7, '1': 8, '2': 200, '3': 300 });

    const bulk = await fetch(
      `${hub.baseUrl}/input/bulk.json?data=${encodeURIComponent(`[[${NOW_S},"meter",9]]`)}&time=0&apikey=${writeApiKey}`,
    );
    assert.equal(await bulk.text(), 'ok');
    assert.deepEqual(await valuesOf('meter'), { '0': 7, '1': 9, '2': 200, '3': 300 });
  });
});
