import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../../src/shared/errors.js';
import { STORE_DELAY_MS } from '../../../src/devices/device-runner.js';
import { UNKNOWN_STATE } from '../../../src/devices/driver.js';
import { EMPTY_EV } from '../../../src/devices/drivers/driver-kit.js';
import { runtime, T0 } from './runtime-fixture.js';

/** A started runtime with one Tasmota plug that is online and was asked for its state. */
async function plug(settings?: { confirmTimeoutMs: number; retries: number }) {
  const rt = runtime(settings);
  rt.devices.add(1, 'tasmota', 'plug1');
  await rt.start();
  await rt.fromDevice('tele/plug1/LWT', 'Online');
  await rt.clock.tickAsync(STORE_DELAY_MS); // its state written: no timer of the runner's left
  rt.mqtt.published.length = 0;
  rt.events.length = 0;
  return { ...rt, t0: rt.clock.nowMs() };
}

const commands = (rt: Awaited<ReturnType<typeof plug>>) =>
  rt.sent().map((m) => `${m.topic} ${m.payload} qos${m.qos}`);

describe('DeviceControlService', () => {
  it('sends the command with QoS 1 and confirms it by the device’s own report', async () => {
    const rt = await plug();
    const request = rt.control.setState(1, { on: true });
    assert.deepEqual(request.status, {
      desired: { on: true },
      status: 'pending',
      requestedAtMs: rt.t0,
      settledAtMs: null,
      attempts: 1,
      reason: null,
    });
    assert.deepEqual(commands(rt), ['cmnd/plug1/POWER ON qos1']);
    rt.clock.tick(120);
    await rt.fromDevice('stat/plug1/RESULT', '{"POWER":"ON"}');
    const settled = await request.settled;
    assert.equal(settled.status, 'confirmed');
    assert.equal(settled.settledAtMs, rt.t0 + 120);
    assert.deepEqual(rt.control.status(1), settled);
    assert.ok(rt.events.length >= 2, 'pending and confirmed were both announced');
    rt.clock.tick(60_000);
    assert.deepEqual(commands(rt), ['cmnd/plug1/POWER ON qos1'], 'nothing sent again');
    assert.equal(rt.clock.pendingTimers(), 0);
    await rt.stop();
  });

  it('does not take a report that does not show the change (or one that came before the request)', async () => {
    const rt = await plug();
    await rt.fromDevice('stat/plug1/POWER', 'ON');
    const request = rt.control.setState(1, { on: false });
    await rt.fromDevice('stat/plug1/POWER', 'ON');
    assert.equal(rt.control.status(1)?.status, 'pending');
    await rt.fromDevice('stat/plug1/POWER', 'OFF');
    assert.equal((await request.settled).status, 'confirmed');
    await rt.stop();
  });

  // A state restored from Redis after a restart may already look like what is asked: only a
  // message that reports the part the command controls may confirm it.
  const staleCases = [
    {
      kind: 'tasmota' as const,
      topicName: 'plug1',
      stored: { relays: [true] },
      desired: { on: true },
      unrelated: [
        ['tele/plug1/LWT', 'Online'],
        ['tele/plug1/SENSOR', '{"Time":"2026-11-27T22:00:00","ENERGY":{"Total":3.2,"Power":41}}'],
        ['stat/plug1/RESULT', '{"Command":"Unknown"}'],
      ],
      report: ['stat/plug1/POWER', 'ON'],
    },
    {
      kind: 'shelly' as const,
      topicName: 'sh1',
      stored: { relays: [true] },
      desired: { on: true },
      unrelated: [
        ['sh1/online', 'true'],
        ['sh1/hub/rpc', '{"id":1,"src":"shellyplusplugs-1","dst":"sh1/hub","result":{"was_on":false}}'],
        [
          'sh1/events/rpc',
          '{"src":"shellyplusplugs-1","method":"NotifyStatus","params":{"switch:0":{"id":0,"apower":8.9}}}',
        ],
      ],
      report: ['sh1/hub/rpc', '{"id":100,"src":"shellyplusplugs-1","result":{"id":0,"output":true}}'],
    },
    {
      kind: 'emonesp' as const,
      topicName: 'sp1',
      stored: { relays: [false] },
      desired: { on: false },
      before: [['emon/sp1/smartplug1/describe', 'smartplug']], // it names its node on connect
      unrelated: [
        ['emon/sp1/smartplug1/describe', 'smartplug'],
        ['emon/sp1/power1', '0'],
        ['emon/sp1/vrms', '239.8'],
      ],
      report: ['emon/sp1/smartplug1/out/state', '{"ctrlmode":"Off","timer":"0 0 0 0","vout":"0"}'],
    },
    {
      kind: 'openevse' as const,
      topicName: 'evse1',
      stored: { relays: [true], ev: { ...EMPTY_EV, currentLimitA: 16 } },
      desired: { currentLimitA: 16 },
      unrelated: [
        ['evse1/amp', '15980'],
        ['evse1/session_energy', '5400'],
        ['evse1/vehicle', '1'],
        ['evse1/power', '3680'],
        ['evse1/claim', '{"state":"active","charge_current":16}'],
      ],
      report: ['evse1/override', '{"state":"active","charge_current":16,"auto_release":false}'],
    },
  ];
  for (const c of staleCases) {
    it(`${c.kind}: a stale state and an unrelated message do not confirm, the device's report does`, async () => {
      const rt = runtime();
      rt.devices.add(1, c.kind, c.topicName);
      await rt.store.set(1, { ...UNKNOWN_STATE, ...c.stored, lastSeenMs: T0 - 3_600_000 });
      await rt.start();
      for (const [topic, payload] of c.before ?? []) await rt.fromDevice(topic!, payload!);
      const request = rt.control.setState(1, c.desired);
      for (const [topic, payload] of c.unrelated) await rt.fromDevice(topic!, payload!);
      assert.equal(rt.control.status(1)?.status, 'pending', 'confirmed by a message that did not report it');
      await rt.fromDevice(c.report[0]!, c.report[1]!);
      assert.equal((await request.settled).status, 'confirmed');
      await rt.stop();
    });
  }

  it('a report on another relay does not confirm a command for relay 2 (multi-relay Tasmota)', async () => {
    const rt = runtime();
    rt.devices.add(1, 'tasmota', 'strip');
    await rt.start();
    // Three relays, the second already on: only a report of relay 2 after the request confirms.
    await rt.fromDevice('tele/strip/STATE', '{"POWER1":"OFF","POWER2":"ON","POWER3":"OFF"}');
    const request = rt.control.setState(1, { on: true, relay: 1 });
    await rt.fromDevice('stat/strip/RESULT', '{"POWER1":"ON"}');
    await rt.fromDevice('stat/strip/POWER3', 'OFF');
    assert.equal(rt.control.status(1)?.status, 'pending', 'relays 1 and 3 reported, not relay 2');
    await rt.fromDevice('stat/strip/POWER2', 'ON');
    assert.equal((await request.settled).status, 'confirmed');
    await rt.stop();
  });

  it('asks again and re-sends when the report does not come in time, then confirms', async () => {
    const rt = await plug();
    const request = rt.control.setState(1, { on: true });
    rt.clock.tick(2999);
    assert.equal(rt.control.status(1)?.attempts, 1);
    await rt.clock.tickAsync(1);
    assert.equal(rt.control.status(1)?.attempts, 2);
    assert.deepEqual(commands(rt), [
      'cmnd/plug1/POWER ON qos1',
      'cmnd/plug1/POWER  qos1', // the query first
      'cmnd/plug1/POWER ON qos1',
    ]);
    await rt.fromDevice('stat/plug1/POWER', 'ON');
    const settled = await request.settled;
    assert.deepEqual([settled.status, settled.attempts, settled.settledAtMs], ['confirmed', 2, rt.t0 + 3000]);
    await rt.stop();
  });

  it('shows "not confirmed" after the retries, with why', async () => {
    const rt = await plug({ confirmTimeoutMs: 3000, retries: 2 });
    const request = rt.control.setState(1, { on: true });
    for (let i = 0; i < 3; i++) await rt.clock.tickAsync(3000);
    const settled = await request.settled;
    assert.equal(settled.status, 'not_confirmed');
    assert.equal(settled.attempts, 3);
    assert.equal(settled.settledAtMs, rt.t0 + 9000);
    assert.equal(settled.reason, 'the device did not report the change within 3 s of each of 3 attempts');
    assert.equal(commands(rt).filter((c) => c === 'cmnd/plug1/POWER ON qos1').length, 3);
    rt.clock.tick(60_000);
    assert.equal(commands(rt).length, 5, 'no more sends after giving up');
    await rt.stop();
  });

  it('stops retrying a device whose last will came after the request', async () => {
    const rt = await plug({ confirmTimeoutMs: 3000, retries: 2 });
    const request = rt.control.setState(1, { on: true });
    await rt.fromDevice('tele/plug1/LWT', 'Offline');
    await rt.clock.tickAsync(3000);
    const settled = await request.settled;
    assert.deepEqual(
      [settled.status, settled.attempts, settled.reason],
      ['not_confirmed', 1, 'the device went offline before it confirmed'],
    );
    assert.equal(commands(rt).filter((c) => c === 'cmnd/plug1/POWER ON qos1').length, 1, 'sent once');
    await rt.stop();
  });

  it('turns "not confirmed" into "confirmed" when the report comes late', async () => {
    const rt = await plug({ confirmTimeoutMs: 1000, retries: 0 });
    const request = rt.control.setState(1, { on: true });
    rt.clock.tick(1000);
    assert.equal((await request.settled).status, 'not_confirmed');
    assert.match(rt.control.status(1)?.reason ?? '', /within 1 s of the command/);
    rt.clock.tick(4000);
    await rt.fromDevice('stat/plug1/POWER', 'ON');
    const late = rt.control.status(1)!;
    assert.deepEqual([late.status, late.reason, late.settledAtMs], ['confirmed', null, rt.t0 + 5000]);
    await rt.stop();
  });

  it('lets a newer request replace an older one still waiting', async () => {
    const rt = await plug();
    const first = rt.control.setState(1, { on: true });
    rt.clock.tick(500);
    const second = rt.control.setState(1, { on: false });
    const replaced = await first.settled;
    assert.deepEqual(
      [replaced.status, replaced.reason],
      ['not_confirmed', 'replaced by a newer request before it was confirmed'],
    );
    await rt.fromDevice('stat/plug1/POWER', 'ON'); // the first command's answer
    assert.equal(rt.control.status(1)?.status, 'pending');
    assert.deepEqual(rt.control.status(1)?.desired, { on: false });
    rt.clock.tick(2600); // the first request's timer would have fired here
    assert.equal(rt.control.status(1)?.attempts, 1);
    await rt.fromDevice('stat/plug1/POWER', 'OFF');
    assert.equal((await second.settled).status, 'confirmed');
    await rt.stop();
  });

  it('fails with the reason when the command cannot be published', async () => {
    const rt = await plug();
    await rt.mqtt.stop();
    const request = rt.control.setState(1, { on: true });
    const settled = await request.settled;
    assert.equal(settled.status, 'failed');
    assert.match(settled.reason ?? '', /could not be sent: .*the broker is not running/);
    assert.equal(rt.clock.pendingTimers(), 0);
    await rt.stop();
  });

  it('refuses what cannot be done with a clear 4xx', async () => {
    const rt = await plug();
    rt.devices.add(2, 'emonhub', 'emonpi');
    rt.devices.add(3, 'tasmota', 'plug3');
    rt.bus.emit('device.added', { deviceId: 3 });
    await rt.fromDevice('tele/plug3/LWT', 'Offline');
    rt.mqtt.published.length = 0;
    const cases: [number, object, number, string, RegExp][] = [
      [99, { on: true }, 404, 'device_not_found', /device 99 does not exist/],
      [2, { on: true }, 409, 'not_controllable', /no driver/],
      [1, {}, 400, 'nothing_to_change', /say what to change/],
      [1, { currentLimitA: 16 }, 400, 'unsupported', /only a charger/],
      [1, { on: true, relay: 1 }, 400, 'unsupported', /one relay \(0\), not 1/],
      [3, { on: true }, 409, 'device_offline', /offline/],
    ];
    for (const [id, desired, status, code, message] of cases) {
      assert.throws(
        () => rt.control.setState(id, desired),
        (err: unknown) =>
          err instanceof UserError && err.status === status && err.code === code && message.test(err.message),
        `${id} ${JSON.stringify(desired)}`,
      );
    }
    assert.deepEqual(commands(rt), []);
    assert.equal(rt.control.status(1), null);
    await rt.stop();
  });

  it('forgets a removed device’s request and its timers', async () => {
    const rt = await plug();
    const request = rt.control.setState(1, { on: true });
    rt.bus.emit('device.removed', { deviceId: 1 });
    assert.deepEqual([(await request.settled).reason], ['the device was removed']);
    assert.equal(rt.control.status(1), null);
    assert.equal(rt.clock.pendingTimers(), 0);
    await rt.stop();
  });

  it('ends a wait when the hub stops, and leaves no timer', async () => {
    const rt = await plug();
    const request = rt.control.setState(1, { on: true });
    await rt.stop();
    const settled = await request.settled;
    assert.deepEqual(
      [settled.status, settled.reason],
      ['not_confirmed', 'the hub stopped before the device confirmed it'],
    );
    assert.equal(rt.clock.pendingTimers(), 0);
  });
});
