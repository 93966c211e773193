import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decidePublish, decideSubscribe, substitute } from '../../../src/broker/acl.js';
import type { AclRule, BrokerPrincipal } from '../../../src/broker/principal.js';
import { publishExceptFor, type GrantHolder } from '../../../src/devices/device-grants.js';
import { topicsFor, type DeviceKind } from '../../../src/devices/device-topics.js';

// One device of each kind on the same hub, so the gateway yields the EmonESP's node.
const fleet: GrantHolder[] = (
  [
    ['hub', 'h1'],
    ['emonhub', 'emonpi'],
    ['tasmota', 'plug1'],
    ['shelly', 'sh1'],
    ['emonesp', 'sp1'],
    ['openevse', 'openevse-a1b2'],
  ] as [DeviceKind, string][]
).map(([kind, name], i) => ({
  id: i + 1,
  kind,
  mqttUsername: `dev-${kind}-${name}`,
  ...topicsFor(kind, name),
}));

const device = (kind: DeviceKind): BrokerPrincipal => {
  const d = fleet.find((x) => x.kind === kind)!;
  return {
    kind: 'device',
    deviceId: d.id,
    username: d.mqttUsername,
    publish: d.publish,
    subscribe: d.subscribe,
    read: d.read,
    publishExcept: publishExceptFor(d, fleet),
  };
};
const ownedNodeRoots = publishExceptFor(
  { id: 0, kind: 'emonhub', mqttUsername: '', publish: [], subscribe: [], read: [] },
  fleet,
);

const principals: Record<string, BrokerPrincipal> = {
  admin: { kind: 'user', username: 'ann', role: 'admin' },
  viewer: { kind: 'user', username: 'vic', role: 'viewer' },
  'read-key viewer': { kind: 'user', username: 'ann', role: 'viewer' },
  hub: device('hub'),
  emonhub: device('emonhub'),
  tasmota: device('tasmota'),
  shelly: device('shelly'),
  emonesp: device('emonesp'),
  openevse: device('openevse'),
  legacy: { kind: 'legacy', username: 'emonpi', publishExcept: ownedNodeRoots },
  'anonymous-loopback': { kind: 'anonymous-loopback' },
};

const EVERYONE = Object.keys(principals);
const VIEWERS = ['admin', 'viewer', 'read-key viewer'];

// Every topic class, and who may publish to it. Anyone not named is refused.
const publishTable: [string, string[]][] = [
  ['hub/dev/h1/power', ['admin', 'hub']],
  ['hub/dev/h1/relay/set', ['admin', 'hub']],
  ['hub/dev/h2/power', ['admin']],
  ['hub/signals/tariff', ['admin']],
  ['emon/emontx4/power1', ['admin', 'emonhub', 'legacy']],
  ['emon/emonpi', ['admin', 'emonhub', 'legacy']],
  ['emon/emontx4/rssi', ['admin', 'emonhub', 'legacy']],
  ['emonhub/rx/10/values', ['admin', 'emonhub']],
  ['emonhub/tx/10/values', ['admin']],
  ['emon/sp1/describe', ['admin', 'emonesp']],
  ['emon/sp1', ['admin', 'emonesp']],
  ['emon/sp1/out/state', ['admin', 'emonesp']],
  ['emon/sp1/in/ctrlmode', ['admin', 'emonesp']],
  ['emon/sp2/describe', ['admin', 'emonhub', 'legacy']],
  // Ingest cleans a node level (drops ':' and other characters, trims) into sp1, the EmonESP's node.
  ['emon/sp1:/power', ['admin']],
  ['emon/sp1!/power', ['admin']],
  ['emon/ sp1/describe', ['admin']],
  ['emon/s:p1', ['admin']],
  ['emon/emontx4*/power1', ['admin']],
  ['tele/plug1/SENSOR', ['admin', 'tasmota']],
  ['stat/plug1/POWER', ['admin', 'tasmota']],
  // Tasmota publishes an empty cmnd/<t>/POWER at every connect (docs/mqtt.md): its own topic only.
  ['cmnd/plug1/POWER', ['admin', 'tasmota']],
  ['tele/plug2/SENSOR', ['admin']],
  ['cmnd/plug2/POWER', ['admin']],
  ['sh1/status/switch:0', ['admin', 'shelly']],
  ['shellies/sh1/relay/0', ['admin', 'shelly']],
  ['sh2/status/switch:0', ['admin']],
  ['openevse-a1b2/amp', ['admin', 'openevse']],
  ['openevse-a1b2/config_version', ['admin', 'openevse']],
  ['openevse-a1b2/rapi/out', ['admin', 'openevse']],
  ['openevse/announce/a1b2', ['admin', 'openevse']],
  ['openevse/announce/ffff', ['admin']],
  ['openevse-ffff/amp', ['admin']],
  ['$SYS/broker/uptime', ['admin']],
  ['anything/else', ['admin']],
];

// Every filter class, and who may subscribe to it.
const subscribeTable: [string, string[]][] = [
  ['#', ['admin']],
  ['+/#', ['admin']],
  ['+/+', ['admin']],
  ['$SYS/#', ['admin']],
  ['$SYS/broker/uptime', ['admin']],
  // OpenEVSE's read grant names it exactly (it subscribes at every connect); $SYS/# stays admin-only.
  ['$SYS/broker/version', ['admin', 'openevse']],
  ['hub/signals/#', EVERYONE.filter((p) => p !== 'legacy')],
  ['hub/signals/tariff', EVERYONE.filter((p) => p !== 'legacy')],
  ['hub/dev/h1/relay/set', [...VIEWERS, 'hub']],
  ['hub/dev/h1/cmd/#', [...VIEWERS, 'hub']],
  ['hub/dev/h1/#', VIEWERS],
  ['hub/dev/+/cmd/#', VIEWERS],
  ['hub/dev/h2/+/set', VIEWERS],
  ['emon/#', VIEWERS],
  ['emon/emonpi/power1', [...VIEWERS, 'openevse']],
  ['emon/+/+', [...VIEWERS, 'openevse']],
  ['emonhub/tx/#', [...VIEWERS, 'emonhub']],
  ['emonhub/rx/#', VIEWERS],
  ['emon/sp1/in/#', [...VIEWERS, 'emonesp']],
  ['emon/sp1/sp1/in/#', [...VIEWERS, 'emonesp']],
  ['emon/sp2/in/#', VIEWERS],
  ['cmnd/plug1/#', [...VIEWERS, 'tasmota']],
  ['cmnd/plug1/POWER', [...VIEWERS, 'tasmota']],
  ['cmnd/plug2/#', VIEWERS],
  ['cmnd/+/POWER', VIEWERS],
  ['tele/plug1/#', VIEWERS],
  ['stat/+/POWER', VIEWERS],
  ['sh1/rpc', [...VIEWERS, 'shelly']],
  ['sh1/command', [...VIEWERS, 'shelly']],
  ['shellies/sh1/command', [...VIEWERS, 'shelly']],
  ['sh1/#', VIEWERS],
  ['openevse-a1b2/rapi/in/#', [...VIEWERS, 'openevse']],
  ['openevse-a1b2/override/set', [...VIEWERS, 'openevse']],
  ['openevse-a1b2/schedule/clear', [...VIEWERS, 'openevse']],
  ['openevse-a1b2/restart', [...VIEWERS, 'openevse']],
  ['openevse-a1b2/#', VIEWERS],
  ['openevse/announce/#', VIEWERS],
];

describe('MQTT authorization: every principal against every topic class', () => {
  for (const [topic, allowed] of publishTable) {
    it(`publish ${topic}: only ${allowed.join(', ')}`, () => {
      const got = EVERYONE.filter((name) => decidePublish(principals[name]!, 'c1', topic, []).allow);
      assert.deepEqual(
        got,
        EVERYONE.filter((name) => allowed.includes(name)),
      );
    });
  }
  for (const [filter, allowed] of subscribeTable) {
    it(`subscribe ${filter}: only ${allowed.join(', ')}`, () => {
      const got = EVERYONE.filter((name) => decideSubscribe(principals[name]!, 'c1', filter, []).allow);
      assert.deepEqual(
        got,
        EVERYONE.filter((name) => allowed.includes(name)),
      );
    });
  }
});

describe('MQTT authorization rules', () => {
  const plug = principals.tasmota!;
  const emonhub = principals.emonhub!;
  const rules: AclRule[] = [
    { who: 'device', access: 'write', topic: 'shared/%u/out' },
    { who: 'any', access: 'read', topic: 'public/%c/#' },
    { who: 'dev-tasmota-plug1', access: 'deny', topic: 'tele/plug1/SECRET' },
  ];
  const ruleTable: [string, () => boolean, boolean][] = [
    [
      'a rule grants a device its %u topic',
      () => decidePublish(plug, 'c1', 'shared/dev-tasmota-plug1/out', rules).allow,
      true,
    ],
    [
      "%u does not grant another user's topic",
      () => decidePublish(plug, 'c1', 'shared/dev-emonhub-emonpi/out', rules).allow,
      false,
    ],
    [
      '%c grants reading by client id',
      () => decideSubscribe(emonhub, 'box-7', 'public/box-7/x', rules).allow,
      true,
    ],
    [
      '%c does not match another client id',
      () => decideSubscribe(emonhub, 'box-7', 'public/box-8/x', rules).allow,
      false,
    ],
    [
      "deny wins over the device's own topics",
      () => decidePublish(plug, 'c1', 'tele/plug1/SECRET', rules).allow,
      false,
    ],
  ];
  for (const [name, check, allow] of ruleTable) it(`rules: ${name}`, () => assert.equal(check(), allow));

  it('substitutes %u and %c only as whole levels, never with wildcards', () => {
    assert.equal(substitute('a/%u/b', 'ann', 'c'), 'a/ann/b');
    assert.equal(substitute('a/x%u/b', 'ann', 'c'), undefined);
    assert.equal(substitute('a/%c', 'ann', 'evil/#'), undefined);
    assert.equal(substitute('a/%u', '', 'c'), undefined);
  });
});
