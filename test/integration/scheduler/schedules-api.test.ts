import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

// A device's schedule over the API: set, read (viewers too), refused with a message a person
// reads, cleared, and gone with its device.
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let viewer: HttpClient;

const WEEKDAYS_BY_8 = {
  mode: 'smart',
  smart: {
    readyBy: '08:00',
    runMinutes: 300,
    interruptible: true,
    minOnMinutes: 30,
    minGapMinutes: 15,
    repeat: [1, 2, 3, 4, 5],
  },
};

async function addDevice(kind: string, topicName: string): Promise<number> {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name: topicName, kind, topicName } });
  assert.equal(res.status, 201, res.text);
  return (res.body as { device: { id: number } }).device.id;
}

describe('device schedules over the API', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown));
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    viewer = hub.client();
    await viewer.request('POST', '/api/v1/session', { json: { username: 'vic', password: 'vic-password' } });
  });

  it('sets a smart schedule, which everyone signed in reads', async () => {
    const id = await addDevice('tasmota', 'washer');
    assert.deepEqual((await viewer.request('GET', `/api/v1/devices/${id}/schedule`)).body, {
      deviceId: id,
      schedule: null,
      updatedAtMs: null,
    });
    const set = await admin.request('PUT', `/api/v1/devices/${id}/schedule`, { json: WEEKDAYS_BY_8 });
    assert.equal(set.status, 200, set.text);
    const read = await viewer.request('GET', `/api/v1/devices/${id}/schedule`);
    const body = read.body as { schedule: unknown; updatedAtMs: number };
    assert.deepEqual(body.schedule, {
      mode: 'smart',
      smart: {
        ...WEEKDAYS_BY_8.smart,
        onceDate: null,
        energyKWh: null,
        rangeKm: null,
        whPerKm: 170,
        powerW: null,
      },
    });
    assert.equal(typeof body.updatedAtMs, 'number');
    assert.equal(
      (await viewer.request('PUT', `/api/v1/devices/${id}/schedule`, { json: { mode: 'off' } })).status,
      403,
    );
    assert.equal((await admin.request('DELETE', `/api/v1/devices/${id}/schedule`)).status, 204);
    assert.equal(
      ((await admin.request('GET', `/api/v1/devices/${id}/schedule`)).body as { schedule: unknown }).schedule,
      null,
    );
  });

  it('refuses what is not a schedule, saying why', async () => {
    const id = await addDevice('shelly', 'heater');
    const refused = async (json: unknown) => {
      const res = await admin.request('PUT', `/api/v1/devices/${id}/schedule`, { json });
      assert.equal(res.status, 400, res.text);
      return (res.body as { error: string; code: string }).error;
    };
    assert.equal(await refused({ mode: 'now' }), 'mode must be one of on, off, smart, timer (mode)');
    assert.equal(
      await refused({ mode: 'smart', smart: { ...WEEKDAYS_BY_8.smart, readyBy: '25:00' } }),
      'readyBy must be a time of day such as "08:00" (smart.readyBy)',
    );
    assert.equal(
      await refused({ mode: 'smart', smart: { ...WEEKDAYS_BY_8.smart, interruptible: false } }),
      'minOnMinutes and minGapMinutes are for a schedule that may pause',
    );
    assert.equal(
      await refused({ mode: 'smart', smart: { ...WEEKDAYS_BY_8.smart, energyKWh: 20 } }),
      'energyKWh and rangeKm are for chargers',
    );
    assert.equal(
      await refused({ mode: 'smart', smart: { ...WEEKDAYS_BY_8.smart, rangeKm: 80 } }),
      'energyKWh and rangeKm are for chargers',
    );
    assert.equal(
      await refused({ mode: 'smart', smart: { ...WEEKDAYS_BY_8.smart, energyKWh: 20, rangeKm: 80 } }),
      'give energyKWh or rangeKm, not both',
    );
    assert.equal(
      ((await admin.request('GET', `/api/v1/devices/${id}/schedule`)).body as { schedule: unknown }).schedule,
      null,
      'nothing stored',
    );
  });

  it('a charger takes energy by the time; a gateway and a missing device cannot have one', async () => {
    const evse = await addDevice('openevse', 'openevse-7b2c');
    const charge = {
      mode: 'smart',
      smart: {
        readyBy: '07:00',
        runMinutes: 240,
        interruptible: true,
        repeat: [],
        onceDate: '2026-12-01',
        energyKWh: 20,
      },
    };
    assert.equal(
      (await admin.request('PUT', `/api/v1/devices/${evse}/schedule`, { json: charge })).status,
      200,
    );
    const gateway = await addDevice('emonhub', 'emonpi');
    const res = await admin.request('PUT', `/api/v1/devices/${gateway}/schedule`, { json: { mode: 'on' } });
    assert.equal(res.status, 409);
    assert.equal((res.body as { code: string }).code, 'device_not_switchable');
    assert.equal(
      (await admin.request('PUT', '/api/v1/devices/999/schedule', { json: { mode: 'on' } })).status,
      404,
    );
  });

  it('a deleted device takes its schedule with it', async () => {
    const id = await addDevice('tasmota', 'dryer');
    await admin.request('PUT', `/api/v1/devices/${id}/schedule`, {
      json: { mode: 'timer', timer: { periods: [{ start: '01:00', stop: '04:00' }] } },
    });
    assert.equal(hub.schedules.all().filter((s) => s.deviceId === id).length, 1);
    assert.equal((await admin.request('DELETE', `/api/v1/devices/${id}`)).status, 204);
    assert.equal(hub.schedules.all().filter((s) => s.deviceId === id).length, 0);
  });
});
