import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttLogin } from '../../../src/broker/ports.js';
import { ClaimPairing } from '../../../src/pairing/claim-pairing.js';
import type { PairingDevices } from '../../../src/pairing/ports.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import { silentLog } from '../../../src/shared/logger.js';

// The claim state machine on a ManualClock with an in-memory device list and broker line: who is
// admitted, when a claim becomes waiting, the handover wait, denial, the window closing, pruning.
function setup(opts: { windowOpen?: boolean; maxSessions?: number; deliver?: boolean } = {}) {
  const clock = new ManualClock(1_000_000);
  const bus = new EventBus(silentLog);
  const added: { id: number; kind: string; topicName: string }[] = [];
  const removed: number[] = [];
  const devices: PairingDevices = {
    add: (_name, kind, topicName) => {
      const device = { id: added.length + 1, kind, topicName };
      added.push(device);
      return { device, mqttUsername: `dev-${kind}-${topicName}`, secret: `secret-${device.id}` };
    },
    list: () => added,
    update: () => undefined,
    remove: (id) => void removed.push(id),
  };
  const sent: string[] = [];
  const ended: string[] = [];
  let window = opts.windowOpen ?? true;
  const claims = new ClaimPairing({
    devices,
    line: {
      attach: () => undefined,
      deliver: (clientId, topic, payload) => (
        sent.push(`${clientId} ${topic} ${payload}`),
        opts.deliver ?? true
      ),
      // As the broker: the session closes, and the pairing service hears of it.
      end: (clientId) => (ended.push(clientId), claims.closed(clientId)),
    },
    windowOpen: () => window,
    bus,
    clock,
    log: silentLog,
    settings: {
      handoverMs: 30_000,
      requestTtlMs: 900_000,
      maxSessions: opts.maxSessions ?? 8,
      hostname: 'hub',
      mqttPort: () => 1883,
      mqttTlsPort: () => null,
    },
  });
  void claims.start();
  /** As the broker does: admit, announce the session, hand over what it publishes. */
  const connect = (clientId: string, login: Partial<MqttLogin> = {}) => {
    const full: MqttLogin = {
      username: undefined,
      password: undefined,
      remoteAddress: '192.168.1.23',
      clientId,
      webSocket: false,
      ...login,
    };
    const verdict = claims.admit(full);
    if (verdict !== 'pass' && verdict.admit)
      bus.emit('mqtt.connected', { clientId, principal: 'pairing', remoteAddress: full.remoteAddress });
    return verdict;
  };
  const publish = (clientId: string, topic: string, payload: string) =>
    claims.published(clientId, '192.168.1.23', topic, Buffer.from(payload));
  const status = (clientId: string) => claims.view().find((c) => c.clientId === clientId)?.status;
  return {
    claims,
    clock,
    bus,
    added,
    removed,
    sent,
    ended,
    connect,
    publish,
    status,
    closeWindow: () => ((window = false), claims.windowClosed()),
  };
}

describe('pairing logins: who is admitted', () => {
  it('admits no username and Tasmota default user while the window is open; other logins pass', () => {
    const t = setup();
    assert.deepEqual(t.connect('c1'), { admit: true });
    assert.deepEqual(
      t.connect('DVES_1A2B3C', { username: 'DVES_USER', password: Buffer.from('DVES_PASS') }),
      {
        admit: true,
      },
    );
    assert.equal(t.connect('c2', { username: 'ann' }), 'pass');
    assert.equal(t.connect('c3', { username: 'dev-tasmota-x' }), 'pass');
  });

  it('refuses: window closed (as a wrong password), not IPv4, a bad client id, too many at once', () => {
    assert.equal((setup({ windowOpen: false }).connect('c1') as { returnCode: number }).returnCode, 4);
    const t = setup({ maxSessions: 2 });
    assert.equal((t.connect('c1', { remoteAddress: 'fe80::1' }) as { returnCode: number }).returnCode, 5);
    assert.equal((t.connect('bad/id') as { returnCode: number }).returnCode, 2);
    t.connect('a');
    t.connect('b');
    assert.equal((t.connect('c') as { returnCode: number }).returnCode, 3);
    t.claims.closed('a');
    assert.deepEqual(t.connect('c'), { admit: true });
  });
});

describe("pairing logins: taking a claim's place", () => {
  it('refuses a second connection with the id of a device pairing now, and one from elsewhere', () => {
    const t = setup();
    t.connect('DVES_AAAAAA');
    t.publish('DVES_AAAAAA', 'tele/kitchen/LWT', 'Online');
    assert.equal((t.connect('DVES_AAAAAA') as { returnCode: number }).returnCode, 2);
    t.claims.allow('DVES_AAAAAA');
    t.claims.closed('DVES_AAAAAA'); // it restarts with its login
    assert.deepEqual(t.connect('DVES_AAAAAA', { remoteAddress: '192.168.1.99' }), {
      admit: false,
      returnCode: 5,
      why: 'a device with this client id is pairing from 192.168.1.23',
    });
  });

  it('refuses pairing over WebSocket, and everything once stopped', async () => {
    const t = setup();
    assert.equal((t.connect('c1', { webSocket: true }) as { returnCode: number }).returnCode, 5);
    await t.claims.stop();
    assert.equal((t.connect('c2') as { returnCode: number }).returnCode, 4);
  });
});

describe('claims', () => {
  it('waits for what it is, and the first story stands', () => {
    const t = setup();
    t.connect('DVES_1');
    t.publish('DVES_1', 'cmnd/x/POWER', '');
    assert.equal(t.status('DVES_1'), 'connected');
    t.publish('DVES_1', 'tele/x/LWT', 'Online');
    assert.equal(t.status('DVES_1'), 'waiting');
    t.publish('DVES_1', 'x/online', 'true'); // a Shelly's words from a Tasmota: ignored
    assert.equal(t.claims.view()[0]!.kind, 'tasmota');
  });

  it('asks a Shelly what it is once it says it is online', () => {
    const t = setup();
    t.connect('shelly1');
    t.publish('shelly1', 'shelly1/online', 'true');
    assert.deepEqual(t.sent, [
      'shelly1 shelly1/rpc {"id":1,"src":"hub-pairing","method":"Shelly.GetDeviceInfo","params":{}}',
    ]);
  });

  it('a session may speak before the broker announces it; one that leaves before allow is forgotten', () => {
    const t = setup();
    t.claims.published('early', '::ffff:192.168.1.40', 'tele/x/LWT', Buffer.from('Online'));
    assert.deepEqual(
      t.claims.view().map((c) => [c.clientId, c.ip, c.status]),
      [['early', '192.168.1.40', 'waiting']],
    );
    t.claims.closed('early');
    t.connect('DVES_2');
    t.publish('DVES_2', 'tele/y/LWT', 'Online');
    t.claims.closed('DVES_2');
    assert.deepEqual(t.claims.view(), []);
  });

  it('hands over, then shows the settings when it does not come back in time', () => {
    const t = setup();
    t.connect('DVES_3');
    t.publish('DVES_3', 'tele/plug3/LWT', 'Online');
    assert.deepEqual(t.claims.allow('DVES_3'), { deviceId: 1, topicName: 'plug3' });
    assert.deepEqual(t.sent, [
      'DVES_3 cmnd/plug3/Backlog MqttUser dev-tasmota-plug3; MqttPassword2 secret-1',
    ]);
    assert.equal(t.status('DVES_3'), 'handing-over');
    t.claims.closed('DVES_3'); // it restarts: the claim stays
    t.clock.tick(29_999);
    assert.equal(t.status('DVES_3'), 'handing-over');
    t.clock.tick(1);
    assert.equal(t.status('DVES_3'), 'manual');
    assert.equal(t.claims.settings('DVES_3').password, 'secret-1');
    // It connects with its own login after all.
    t.bus.emit('mqtt.connected', {
      clientId: 'DVES_3',
      principal: 'device',
      username: 'dev-tasmota-plug3',
      remoteAddress: '192.168.1.23',
    });
    assert.equal(t.status('DVES_3'), 'paired');
    // A settled claim stays shown for requestTtl, then goes (its device stays).
    t.clock.tick(900_000);
    assert.deepEqual(t.claims.view(), []);
    assert.deepEqual(t.removed, []);
  });

  it('a device gone before its login could be sent goes to the manual path at once', () => {
    const t = setup({ deliver: false });
    t.connect('DVES_4');
    t.publish('DVES_4', 'tele/plug4/LWT', 'Online');
    t.claims.allow('DVES_4');
    assert.equal(t.status('DVES_4'), 'manual');
    assert.match(t.claims.view()[0]!.problem!, /left before/);
  });

  it('deny ends the session, revokes an unused login and refuses the client id for a while', () => {
    const t = setup();
    t.connect('DVES_5');
    t.publish('DVES_5', 'tele/plug5/LWT', 'Online');
    t.claims.allow('DVES_5');
    t.claims.deny('DVES_5');
    assert.deepEqual([t.ended, t.removed, t.claims.view()], [['DVES_5'], [1], []]);
    assert.equal((t.connect('DVES_5') as { returnCode: number }).returnCode, 5);
    assert.deepEqual(t.connect('DVES_6'), { admit: true }, 'others at the same address may still ask');
    t.clock.tick(900_001);
    assert.deepEqual(t.connect('DVES_5'), { admit: true });
  });

  it('closing the window sends away all but those being handed over', () => {
    const t = setup();
    t.connect('a');
    t.publish('a', 'tele/a/LWT', 'Online');
    t.connect('b');
    t.publish('b', 'tele/b/LWT', 'Online');
    t.claims.allow('b');
    t.connect('quiet');
    t.closeWindow();
    assert.deepEqual(t.ended.sort(), ['a', 'b', 'quiet']);
    assert.deepEqual(
      t.claims.view().map((c) => [c.clientId, c.status]),
      [['b', 'handing-over']],
    );
    // No new question and no Allow once it is closed; the hand-over still times out.
    t.publish('late', 'tele/late/LWT', 'Online');
    assert.equal(t.status('late'), undefined);
    t.clock.tick(30_000);
    assert.equal(t.status('b'), 'manual');
  });

  it('a Shelly refusing its settings goes to the manual path; an error to another frame does not', () => {
    const t = setup();
    t.connect('sh');
    t.publish('sh', 'sh/online', 'true'); // the hub asks GetDeviceInfo: frame 1
    t.claims.allow('sh'); // SetConfig 2, Reboot 3
    t.publish('sh', 'hub-pairing/rpc', '{"id":1,"error":{"code":-1,"message":"busy"}}');
    assert.equal(t.status('sh'), 'handing-over');
    t.publish('sh', 'hub-pairing/rpc', '{"id":2,"error":{"code":-103,"message":"Invalid argument"}}');
    assert.equal(t.status('sh'), 'manual');
    assert.equal(t.claims.view()[0]!.problem, 'it refused the settings: Invalid argument');
    assert.deepEqual(t.ended, ['sh'], 'its pairing session ended');
  });

  it('a paired claim no longer holds the login; a deleted device ends its claim and session', () => {
    const t = setup();
    t.connect('DVES_8');
    t.publish('DVES_8', 'tele/p8/LWT', 'Online');
    t.claims.allow('DVES_8');
    t.bus.emit('mqtt.connected', {
      clientId: 'DVES_8',
      principal: 'device',
      username: 'dev-tasmota-p8',
      remoteAddress: '192.168.1.23',
    });
    assert.throws(() => t.claims.settings('DVES_8'), /not allowed yet/);
    t.connect('DVES_9');
    t.publish('DVES_9', 'tele/p9/LWT', 'Online');
    t.claims.allow('DVES_9');
    t.bus.emit('device.removed', { deviceId: 2 });
    assert.equal(t.status('DVES_9'), undefined);
    assert.ok(t.ended.includes('DVES_9'));
  });

  it('renames a device whose topic is reserved or taken, and says why it cannot take one', () => {
    const t = setup();
    t.connect('DVES_7');
    t.publish('DVES_7', 'tele/tasmota/LWT', 'Online');
    assert.equal(t.claims.allow('DVES_7').topicName, 'tasmota-23');
    assert.match(t.sent.at(-1)!, /; Topic tasmota-23$/);
    t.connect('evse');
    t.publish('evse', 'openevse/announce/1', JSON.stringify({ state: 'connected', mqtt: 'a/b' }));
    assert.throws(() => t.claims.allow('evse'), /more than one level/);
    assert.throws(() => t.claims.allow('nobody'), /no device nobody is pairing/);
  });
});
