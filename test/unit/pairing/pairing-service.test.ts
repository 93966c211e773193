import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PairingRequestView } from '../../../src/api/contract.js';
import { PairingService, type PairingSettings } from '../../../src/pairing/pairing-service.js';
import type { MirroredPairingState, PairingDevices } from '../../../src/pairing/ports.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { UserError } from '../../../src/shared/errors.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import type { Logger } from '../../../src/shared/logger.js';

const SETTINGS: PairingSettings = {
  requestTtlMs: 900_000,
  allowanceTtlMs: 60_000,
  maxPendingRequests: 8,
  requestsPerAddressPerMinute: 12,
  windowMs: 600_000,
  beaconIntervalMs: 5_000,
  mqttPort: () => 1883,
};

/** Devices in memory, as DeviceService keeps them (a taken username is a 409). */
class MemoryDevices implements PairingDevices {
  rows: { id: number; name: string; topicName: string; room: string | null }[] = [];
  private nextId = 1;
  add(name: string, _kind: 'emonesp', topicName: string) {
    if (this.rows.some((r) => r.topicName === topicName)) throw new UserError('exists', 409, 'device_exists');
    const id = this.nextId++;
    this.rows.push({ id, name, topicName, room: null });
    return { device: { id }, mqttUsername: `dev-emonesp-${topicName}`, secret: `secret-${id}` };
  }
  list() {
    return this.rows;
  }
  update(id: number, change: { room?: string | null }) {
    const row = this.rows.find((r) => r.id === id)!;
    row.room = change.room ?? null;
  }
  remove(id: number) {
    if (!this.rows.some((r) => r.id === id)) throw new UserError('gone', 404, 'device_not_found');
    this.rows = this.rows.filter((r) => r.id !== id);
  }
}

function setup(
  devices = new MemoryDevices(),
  opts: { mqttPort?: number | null; before?: () => Promise<PairingRequestView[]> } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
  const lines: string[] = [];
  const log: Logger = {
    debug: (f, m) => void lines.push(`${m} ${JSON.stringify(f)}`),
    info: (f, m) => void lines.push(`${m} ${JSON.stringify(f)}`),
    warn: (f, m) => void lines.push(`${m} ${JSON.stringify(f)}`),
    error: (f, m) => void lines.push(`${m} ${JSON.stringify(f)}`),
    child: () => log,
  };
  const beacons: number[] = [];
  const mirrored: MirroredPairingState[] = [];
  const bus = new EventBus(log);
  let changes = 0;
  bus.on('pairing.changed', () => void changes++);
  const service = new PairingService({
    devices,
    beacon: { sendNow: async () => (beacons.push(clock.nowMs()), true) },
    mirror: {
      save: (state) => void mirrored.push(structuredClone(state)),
      load: opts.before ?? (async () => []),
    },
    bus,
    clock,
    log,
    settings: 'mqttPort' in opts ? { ...SETTINGS, mqttPort: () => opts.mqttPort ?? null } : SETTINGS,
  });
  return { service, clock, devices, beacons, mirrored, lines, changes: () => changes };
}

describe('the pairing service', () => {
  it('names the device plug-<last octet>, then plug-<octet>-2 when that is taken, with its room', () => {
    const { service, devices } = setup();
    devices.add('older', 'emonesp', 'plug-23');
    service.request('10.0.0.23', 'EmonESP');
    assert.deepEqual(service.allow('10.0.0.23', { name: 'Kitchen plug', room: 'Kitchen' }), {
      deviceId: 2,
      topicName: 'plug-23-2',
    });
    assert.deepEqual(devices.rows[1], {
      id: 2,
      name: 'Kitchen plug',
      topicName: 'plug-23-2',
      room: 'Kitchen',
    });
    assert.deepEqual(service.request('10.0.0.23', undefined), {
      status: 200,
      body: 'dev-emonesp-plug-23-2:secret-2:emon/plug-23-2',
    });
  });

  it('creates no device for an address that is not pending, nor twice for one', () => {
    const { service, devices } = setup();
    assert.throws(() => service.allow('10.0.0.23'), { code: 'pairing_request_not_found', status: 404 });
    service.request('::ffff:10.0.0.23', undefined);
    service.allow('10.0.0.23');
    assert.throws(() => service.allow('10.0.0.23'), { code: 'pairing_already_allowed', status: 409 });
    assert.equal(devices.rows.length, 1);
  });

  it('deletes the login of an allowance that lapsed unfetched, by its own timer', () => {
    const { service, clock, devices, changes } = setup();
    service.request('10.0.0.23', undefined);
    service.allow('10.0.0.23');
    const before = changes();
    clock.tick(60_000);
    assert.equal(devices.rows.length, 1, 'still within the allowance');
    clock.tick(1);
    assert.deepEqual(devices.rows, []);
    assert.equal(changes(), before + 1, 'the app hears of it');
    assert.deepEqual(service.state().requests, []);
    assert.equal(service.status().detail?.lapsedAllowances, 1);
  });

  it('deletes the login of an allowed request that is denied', () => {
    const { service, devices } = setup();
    service.request('10.0.0.23', undefined);
    service.allow('10.0.0.23');
    service.deny('10.0.0.23');
    assert.deepEqual(devices.rows, []);
    assert.equal(
      service.request('10.0.0.23', undefined).body,
      'Authentication request registered for IP 10.0.0.23',
    );
  });

  it('keeps a fetched login, and never logs or mirrors the secret', () => {
    const { service, devices, lines, mirrored } = setup();
    service.request('10.0.0.23', undefined);
    service.allow('10.0.0.23');
    service.request('10.0.0.23', undefined);
    service.stop();
    assert.equal(devices.rows.length, 1);
    assert.doesNotMatch(lines.join('\n'), /secret-1/);
    assert.doesNotMatch(JSON.stringify(mirrored), /secret-1/);
    assert.deepEqual(
      mirrored.map((s) =>
        s.requests.map((r) => `${r.ip} ${r.allowedUntilMs === null ? 'pending' : 'allowed'}`),
      ),
      [['10.0.0.23 pending'], ['10.0.0.23 allowed'], []],
    );
  });

  it('beacons at once and every interval while the window is open, and stops its timers', async () => {
    const { service, clock, beacons } = setup();
    const t0 = clock.nowMs();
    assert.equal(service.setWindow(true).windowOpenUntilMs, t0 + 600_000);
    clock.tick(600_000);
    assert.equal(beacons.length, 120, 'at 0, 5, … 595 s');
    assert.equal(beacons.at(-1), t0 + 595_000);
    assert.equal(service.state().windowOpenUntilMs, null);
    clock.tick(60_000);
    assert.equal(beacons.length, 120);
    service.setWindow(true);
    service.request('10.0.0.23', undefined);
    await service.stop();
    assert.equal(clock.pendingTimers(), 0);
  });

  it('answers a refused, limited or full request with a status and words, as text', () => {
    const { service } = setup();
    assert.equal(service.request('fe80::1', undefined).status, 400);
    for (let i = 0; i < 12; i++) assert.equal(service.request('10.0.0.23', undefined).status, 200);
    assert.deepEqual(service.request('10.0.0.23', undefined), {
      status: 429,
      body: 'Too many pairing requests from this address: try again in a minute',
    });
    assert.deepEqual(
      { refused: service.status().detail?.refused, rateLimited: service.status().detail?.rateLimited },
      { refused: 1, rateLimited: 1 },
    );
  });

  it("adds the broker's port as a 4th part unless it is EmonESP's 1883", () => {
    for (const [mqttPort, answer] of [
      [1884, 'dev-emonesp-plug-23:secret-1:emon/plug-23:1884'],
      [1883, 'dev-emonesp-plug-23:secret-1:emon/plug-23'],
      [null, 'dev-emonesp-plug-23:secret-1:emon/plug-23'],
    ] as const) {
      const { service } = setup(new MemoryDevices(), { mqttPort });
      service.request('10.0.0.23', undefined);
      service.allow('10.0.0.23');
      assert.deepEqual(service.request('10.0.0.23', undefined), { status: 200, body: answer }, `${mqttPort}`);
    }
  });

  it('deletes at start the devices of allowances from before a restart, and clears the mirror', async () => {
    const devices = new MemoryDevices();
    devices.add('fetched before', 'emonesp', 'plug-20'); // id 1: its request is gone from the mirror
    devices.add('allowed before', 'emonesp', 'plug-23'); // id 2
    const view = (ip: string, deviceId: number | null): PairingRequestView => ({
      ip,
      firstSeenMs: 0,
      lastSeenMs: 0,
      count: 1,
      hint: null,
      allowedUntilMs: deviceId === null ? null : 60_000,
      deviceId,
    });
    const before = async () => [view('10.0.0.23', 2), view('10.0.0.24', null), view('10.0.0.25', 99)];
    const { service, mirrored, lines } = setup(devices, { before });
    await service.start();
    assert.deepEqual(
      devices.rows.map((r) => r.id),
      [1],
      'the allowed device went; the deleted one (99) is no error',
    );
    assert.deepEqual(mirrored, [{ windowOpenUntilMs: null, requests: [] }]);
    assert.equal(service.status().detail?.allowancesLostInRestart, 2);
    assert.match(lines.join('\n'), /ended with the restart.*"deviceId":2/);
    await service.stop();
  });

  it('keeps the allowances of a stop and start in one process, and starts when the mirror cannot be read', async () => {
    const { service, devices, mirrored } = setup(new MemoryDevices(), {
      before: async () => mirrored.at(-1)?.requests ?? [],
    });
    await service.start();
    service.request('10.0.0.23', undefined);
    service.allow('10.0.0.23');
    await service.stop();
    await service.start();
    assert.equal(devices.rows.length, 1);
    assert.equal(service.request('10.0.0.23', undefined).body, 'dev-emonesp-plug-23:secret-1:emon/plug-23');
    await service.stop();

    const failing = setup(new MemoryDevices(), { before: () => Promise.reject(new Error('Redis is down')) });
    await failing.service.start();
    assert.match(failing.lines.join('\n'), /could not read the pairing state from before the restart/);
    assert.deepEqual(failing.mirrored, []);
    await failing.service.stop();
  });
});
