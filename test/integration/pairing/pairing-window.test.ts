import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { PairingStateView } from '../../../src/api/contract.js';
import { UdpBeacon } from '../../../src/pairing/beacon.udp.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLog } from '../../../src/shared/logger.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';
import { authRequestFrom } from './auth-request-from.js';

// The pairing window and the UDP beacon EmonESP listens for (src/autoauth.cpp: exactly
// "emonpi.local" on port 5005), received by a real UDP socket on loopback; and whose address a
// request counts as behind a trusted proxy.
const teardown = useTeardown();
const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
const PROXY = '127.0.0.9';
let hub: TestHub;
let admin: HttpClient;
const received: { bytes: Buffer; from: string }[] = [];

async function beaconsAfter(count: number): Promise<Buffer[]> {
  await until(() => received.length >= count, 3000, `${count} beacons`);
  await new Promise((resolve) => setTimeout(resolve, 100)); // and no more than that
  return received.map((r) => r.bytes);
}

describe('the pairing window and the UDP beacon', () => {
  before(async () => {
    const listener = createSocket('udp4');
    listener.on('message', (bytes, rinfo) => received.push({ bytes, from: rinfo.address }));
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    teardown.add(() => new Promise<void>((resolve) => listener.close(() => resolve())));
    ({ hub, admin } = await startHubWithAdmin(teardown, {
      clock,
      config: {
        http: { trustProxy: [PROXY] },
        pairing: {
          mdns: false,
          beaconAddress: '127.0.0.1',
          beaconPort: listener.address().port,
          beaconIntervalS: 5,
          windowMinutes: 1,
        },
      },
    }));
  });

  it('sends one beacon on demand: exactly the 12 bytes "emonpi.local"', async () => {
    const res = await admin.request('POST', '/api/v1/pairing/beacon');
    assert.deepEqual([res.status, res.body], [200, { sent: true }]);
    assert.deepEqual(await beaconsAfter(1), [Buffer.from('emonpi.local')]);
    assert.equal(received[0]!.bytes.length, 12);
  });

  it('beacons at once and every interval while the window is open, then stops', async () => {
    received.length = 0;
    const opened = await admin.request('POST', '/api/v1/pairing/window', { json: { open: true } });
    assert.equal(opened.status, 200, opened.text);
    assert.equal((opened.body as PairingStateView).windowOpenUntilMs, clock.nowMs() + 60_000);
    assert.equal((await beaconsAfter(1)).length, 1);
    await clock.tickAsync(5_000);
    assert.equal((await beaconsAfter(2)).length, 2);
    await clock.tickAsync(55_000); // at 10 … 55 s; the window closes at 60 s, before a beacon
    assert.equal((await beaconsAfter(12)).length, 12);
    assert.equal(
      ((await admin.request('GET', '/api/v1/pairing')).body as PairingStateView).windowOpenUntilMs,
      null,
    );
    await clock.tickAsync(30_000);
    assert.equal((await beaconsAfter(12)).length, 12, 'no beacon after the window closed');
    assert.ok(received.every((r) => r.bytes.equals(Buffer.from('emonpi.local'))));
  });

  it('closes the window on request; a wrong body is a 400 naming the field', async () => {
    await admin.request('POST', '/api/v1/pairing/window', { json: { open: true } });
    const closed = await admin.request('POST', '/api/v1/pairing/window', { json: { open: false } });
    assert.equal((closed.body as PairingStateView).windowOpenUntilMs, null);
    const sent = received.length;
    await clock.tickAsync(20_000);
    assert.equal((await beaconsAfter(sent)).length, sent);
    const bad = await admin.request('POST', '/api/v1/pairing/window', { json: { open: 'yes' } });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { code: string }).code, 'invalid_open');
  });

  it('counts a beacon that cannot be sent and carries on', async () => {
    const beacon = new UdpBeacon('no-such-host.invalid', 5005, silentLog);
    await beacon.start();
    teardown.add(() => beacon.stop());
    assert.equal(await beacon.sendNow(), false);
    assert.equal(await beacon.sendNow(), false);
    assert.deepEqual(beacon.status().detail?.failed, 2);
    assert.equal(beacon.status().state, 'ready');
    assert.equal(hub.hub.readiness().components['pairing-beacon']?.state, 'ready');
  });

  it("names the device behind a trusted proxy by X-Forwarded-For, and ignores anyone else's", async () => {
    const viaProxy = await authRequestFrom(hub.baseUrl, PROXY, {
      headers: { 'x-forwarded-for': '192.168.1.23' },
    });
    assert.equal(viaProxy.body, 'Authentication request registered for IP 192.168.1.23');
    const spoofed = await authRequestFrom(hub.baseUrl, '127.0.0.2', {
      headers: { 'x-forwarded-for': '192.168.1.99' },
    });
    assert.equal(spoofed.body, 'Authentication request registered for IP 127.0.0.2');
  });
});
