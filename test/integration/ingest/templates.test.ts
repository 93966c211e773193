import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InputJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000 - (1_790_000_000 % 10);
const clock = new ManualClock(NOW_S * 1000);
let hub: TestHub;
let admin: HttpClient;

const feeds = async () =>
  (await admin.request('GET', '/api/v1/feeds')).body as {
    id: number;
    tag: string;
    name: string;
    unit: string;
  }[];
const inputs = async () => (await admin.request('GET', '/api/v1/inputs')).body as InputJson[];

describe('device templates applied to a node', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock }));
  });

  it('applies the emonPi solar template on request, and the readings then fill its feeds', async () => {
    await admin.request('POST', '/api/v1/inputs', {
      json: { node: 'emonpi', timeS: NOW_S - 10, values: { power1: 0 } },
    });
    const existing = (await inputs())[0]!;
    const res = await admin.request('POST', '/api/v1/templates/emonpi-solar-pv-1/apply', {
      json: { node: 'emonpi' },
    });
    assert.equal(res.status, 200, res.text);
    const applied = res.body as {
      feeds: { name: string; created: boolean }[];
      inputs: { id: number; name: string; created: boolean }[];
    };
    assert.deepEqual(
      applied.feeds.map((f) => [f.name, f.created]),
      [
        ['use', true],
        ['use_kwh', true],
        ['solar', true],
        ['solar_kwh', true],
        ['import', true],
        ['import_kwh', true],
        ['export', true],
        ['export_kwh', true],
      ],
    );
    assert.deepEqual(
      applied.inputs.map((i) => [i.name, i.created]),
      [
        ['power1', false],
        ['power2', true],
      ],
    );
    assert.equal(applied.inputs[0]!.id, existing.id);

    await admin.request('POST', '/api/v1/inputs', {
      json: { node: 'emonpi', timeS: NOW_S, values: { power1: 3000, power2: 1200 } },
    });
    const byName = Object.fromEntries((await feeds()).map((f) => [f.name, f.id]));
    const last = async (name: string) =>
      ((await admin.request('GET', `/api/v1/feeds/${byName[name]}/last`)).body as { value: number }).value;
    assert.equal(await last('use'), 3000);
    assert.equal(await last('solar'), 1200);
    assert.equal(await last('import'), 1800);
    assert.equal(await last('export'), 0);
    assert.equal(await last('solar_kwh'), 0);
    await admin.request('POST', '/api/v1/inputs', {
      json: { node: 'emonpi', timeS: NOW_S + 10, values: { power1: 700, power2: 3000 } },
    });
    assert.equal(await last('export'), 2300, 'the sun beyond the house goes to the grid');
    assert.equal(await last('import'), 0);

    const again = await admin.request('POST', '/api/v1/templates/emonpi-solar-pv-1/apply', {
      json: { node: 'emonpi' },
    });
    assert.ok(
      (again.body as typeof applied).feeds.every((f) => !f.created),
      'applying twice reuses everything',
    );
    assert.equal((await feeds()).length, 8);
  });

  it('configures a smart plug that describes itself over MQTT', async () => {
    const plug = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ann',
      password: 'ann-password',
    });
    await plug.publishAsync('emon/smartplug1/describe', 'smartplug', { qos: 1 });
    await until(
      async () => (await inputs()).filter((i) => i.node === 'smartplug1').length === 4,
      3000,
      'plug inputs',
    );
    const status = (await inputs()).find((i) => i.node === 'smartplug1' && i.name === 'status')!;
    const statusFeed = (await feeds()).find((f) => f.tag === 'smartplug1' && f.name === 'status')!;
    assert.deepEqual(status.processList, [{ id: 1, arg: statusFeed.id }]);
  });

  it('refuses an unknown template and a bad node', async () => {
    assert.equal(
      (await admin.request('POST', '/api/v1/templates/toaster/apply', { json: { node: 'a' } })).status,
      404,
    );
    assert.equal(
      (await admin.request('POST', '/api/v1/templates/emontx4/apply', { json: { node: 'a/b' } })).status,
      400,
    );
  });
});
