import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceView, PairingRequestView } from '../../../src/api/contract.js';
import { deviceSettings, waitingRequests } from '../../../ui/src/device-setup.js';
import {
  applyDeviceMessage,
  formatCountdown,
  secondsLeft,
  switchShown,
} from '../../../ui/src/devices-model.js';
import { DEVICE_MESSAGES } from '../../../ui/src/pages/devices-messages.js';
import { cy } from '../../../ui/src/messages-cy.js';
import { en } from '../../../ui/src/messages-en.js';
import { routeOf } from '../../../ui/src/routes.js';

const device = (id: number, over: Partial<DeviceView> = {}): DeviceView => ({
  id,
  name: `plug ${id}`,
  room: null,
  kind: 'tasmota',
  topicName: `plug${id}`,
  mqttUsername: `dev-tasmota-plug${id}`,
  createdAtMs: 0,
  capabilities: ['switch', 'power'],
  state: { online: true, relays: [false], powerW: 0, energyKWh: null, ev: null, lastSeenMs: 1000 },
  control: null,
  feedIds: [],
  ...over,
});

const request = (ip: string, over: Partial<PairingRequestView> = {}): PairingRequestView => ({
  ip,
  firstSeenMs: 0,
  lastSeenMs: 0,
  count: 1,
  hint: null,
  allowedUntilMs: null,
  deviceId: null,
  ...over,
});

describe('a /ws device message applied to the list', () => {
  const list = [device(1), device(3)];

  it('replaces a known device in place', () => {
    const changed = device(3, { name: 'kettle' });
    assert.deepEqual(
      applyDeviceMessage(list, 3, changed).map((d) => d.name),
      ['plug 1', 'kettle'],
    );
  });

  it('adds a new device in id order', () => {
    assert.deepEqual(
      applyDeviceMessage(list, 2, device(2)).map((d) => d.id),
      [1, 2, 3],
    );
  });

  it('removes a deleted device (null), and ignores the deletion of one it never had', () => {
    assert.deepEqual(
      applyDeviceMessage(list, 1, null).map((d) => d.id),
      [3],
    );
    assert.deepEqual(
      applyDeviceMessage(list, 9, null).map((d) => d.id),
      [1, 3],
    );
  });
});

describe('what the switch shows', () => {
  const pending = (on: boolean, relay?: number): DeviceView['control'] => ({
    desired: relay === undefined ? { on } : { on, relay },
    status: 'pending',
    requestedAtMs: 1,
    settledAtMs: null,
    attempts: 1,
    reason: null,
  });

  it("shows the device's own report when nothing is pending", () => {
    assert.deepEqual(switchShown(device(1)), { shown: 'off', pending: false });
    const on = device(1, { state: { ...device(1).state, relays: [true] } });
    assert.deepEqual(switchShown(on), { shown: 'on', pending: false });
    const unknown = device(1, { state: { ...device(1).state, relays: [] } });
    assert.deepEqual(switchShown(unknown), { shown: 'unknown', pending: false });
  });

  it('shows what was asked while it is pending, for that relay only', () => {
    const asked = device(1, { control: pending(true) });
    assert.deepEqual(switchShown(asked), { shown: 'on', pending: true });
    const second = device(1, {
      control: pending(true, 1),
      state: { ...device(1).state, relays: [false, false] },
    });
    assert.deepEqual(switchShown(second, 0), { shown: 'off', pending: false });
    assert.deepEqual(switchShown(second, 1), { shown: 'on', pending: true });
  });

  it('goes back to the report once the request is not confirmed', () => {
    const failed = device(1, { control: { ...pending(true)!, status: 'not_confirmed', reason: 'no reply' } });
    assert.deepEqual(switchShown(failed), { shown: 'off', pending: false });
  });
});

describe('the pairing prompt', () => {
  it('asks only about requests not yet allowed and with no device made', () => {
    const pairing = {
      windowOpenUntilMs: null,
      requests: [
        request('192.168.1.23'),
        request('192.168.1.24', { allowedUntilMs: 60_000 }),
        request('192.168.1.25', { deviceId: 4 }),
      ],
      claims: [],
    };
    assert.deepEqual(
      waitingRequests(pairing).map((r) => r.ip),
      ['192.168.1.23'],
    );
    assert.deepEqual(waitingRequests(undefined), []);
  });

  it('counts the pairing window down in whole seconds, as m:ss', () => {
    assert.equal(secondsLeft(null, 5000), 0);
    assert.equal(secondsLeft(4000, 5000), 0);
    assert.equal(secondsLeft(300_000, 0), 300);
    assert.equal(secondsLeft(300_000, 1), 300, 'a part second left counts as a second');
    assert.deepEqual([299, 60, 59, 0].map(formatCountdown), ['4:59', '1:00', '0:59', '0:00']);
  });
});

describe('the settings to type into a device', () => {
  const facts = { host: 'hub.local', username: 'dev-tasmota-plug1', secret: 's3cret', topicName: 'plug1' };

  it('lists the login, then the host, both ports and the topic', () => {
    assert.deepEqual(deviceSettings({ ...facts, tcpPort: 1883, tlsPort: 8883 }), [
      { key: 'username', value: 'dev-tasmota-plug1' },
      { key: 'password', value: 's3cret' },
      { key: 'host', value: 'hub.local' },
      { key: 'port', value: '1883' },
      { key: 'tlsPort', value: '8883' },
      { key: 'topic', value: 'plug1' },
    ]);
  });

  it('leaves out a listener that is off', () => {
    const keys = deviceSettings({ ...facts, tcpPort: 1883, tlsPort: undefined }).map((s) => s.key);
    assert.deepEqual(keys, ['username', 'password', 'host', 'port', 'topic']);
  });
});

describe('hash routes', () => {
  it('opens a device, a feed in history, and the lists', () => {
    assert.deepEqual(routeOf('#/devices', false), { route: 'devices' });
    assert.deepEqual(routeOf('#/devices/7', false), { route: 'devices', id: 7 });
    assert.deepEqual(routeOf('#/history/12', false), { route: 'history', id: 12 });
    assert.deepEqual(routeOf('#/energy', false), { route: 'energy' });
  });

  it('keeps viewers off admin pages and sends anything unknown to the dashboard', () => {
    assert.deepEqual(routeOf('#/settings', false), { route: 'dashboard' });
    assert.deepEqual(routeOf('#/settings', true), { route: 'settings' });
    assert.deepEqual(routeOf('#/inputs', true), { route: 'inputs' });
    for (const hash of ['', '#/', '#/nope', '#/energy/3', '#/devices/x', '#/devices/7/edit', '#/constructor'])
      assert.deepEqual(routeOf(hash, true), { route: 'dashboard' }, hash);
  });
});

describe('device page messages', () => {
  it('has every English string in Welsh, with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, english] of Object.entries(DEVICE_MESSAGES.en)) {
      const welsh = DEVICE_MESSAGES.cy[key as keyof typeof DEVICE_MESSAGES.en];
      assert.ok(welsh, `${key} in Welsh`);
      assert.deepEqual(placeholders(welsh), placeholders(english), key);
    }
  });
});

describe('app messages', () => {
  it('has the same placeholders in Welsh as in English', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, english] of Object.entries(en))
      assert.deepEqual(placeholders(cy[key as keyof typeof en]), placeholders(english), key);
  });
});
