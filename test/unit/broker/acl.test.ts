import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decidePublish, decideSubscribe, substitute } from '../../../src/broker/acl.js';
import type { AclRule, BrokerPrincipal } from '../../../src/broker/principal.js';
import { topicsFor } from '../../../src/devices/device-topics.js';

const admin: BrokerPrincipal = { kind: 'user', username: 'ann', role: 'admin' };
const viewer: BrokerPrincipal = { kind: 'user', username: 'vic', role: 'viewer' };
const plug: BrokerPrincipal = {
  kind: 'device',
  deviceId: 1,
  username: 'dev-tasmota-plug1',
  ...topicsFor('tasmota', 'plug1'),
};
const emontx: BrokerPrincipal = {
  kind: 'device',
  deviceId: 2,
  username: 'dev-emonhub-emontx4',
  ...topicsFor('emonhub', 'emontx4'),
};
const legacy: BrokerPrincipal = { kind: 'legacy', username: 'emonpi' };
const anon: BrokerPrincipal = { kind: 'anonymous-loopback' };

const publishTable: [string, BrokerPrincipal, string, boolean][] = [
  ['admin publishes anywhere', admin, 'anything/at/all', true],
  ['admin publishes $SYS', admin, '$SYS/broker/x', true],
  ['viewer publishes nothing', viewer, 'emon/x/y', false],
  ['plug publishes its telemetry', plug, 'tele/plug1/SENSOR', true],
  ['plug publishes its state', plug, 'stat/plug1/POWER', true],
  ['plug may not publish as another plug', plug, 'tele/plug2/SENSOR', false],
  ['plug may not command itself', plug, 'cmnd/plug1/POWER', false],
  ['plug may not publish $SYS', plug, '$SYS/broker/clients/connected', false],
  ['emonTx publishes its node', emontx, 'emon/emontx4/power1', true],
  ['emonTx publishes the node JSON topic', emontx, 'emon/emontx4', true],
  ['emonTx may not publish another node', emontx, 'emon/emonpi/power1', false],
  ['legacy login publishes under emon/#', legacy, 'emon/emonpi/power1', true],
  ['legacy login may not publish elsewhere', legacy, 'cmnd/plug1/POWER', false],
  ['anonymous publishes nothing', anon, 'hub/signals/x', false],
];

const subscribeTable: [string, BrokerPrincipal, string, boolean][] = [
  ['admin subscribes to #', admin, '#', true],
  ['admin subscribes to $SYS/#', admin, '$SYS/#', true],
  ['viewer reads emon/#', viewer, 'emon/#', true],
  ['viewer may not read #', viewer, '#', false],
  ['viewer may not read $SYS', viewer, '$SYS/broker/#', false],
  ['plug reads its commands', plug, 'cmnd/plug1/#', true],
  ['plug reads one command', plug, 'cmnd/plug1/POWER', true],
  ["plug may not read another plug's commands", plug, 'cmnd/plug2/#', false],
  ['plug may not widen with a wildcard', plug, 'cmnd/+/POWER', false],
  ['plug may not read #', plug, '#', false],
  ['plug reads the hub signals', plug, 'hub/signals/tariff', true],
  ['emonTx has no command topics', emontx, 'emon/emontx4/#', false],
  ['anonymous reads signals', anon, 'hub/signals/#', true],
  ['anonymous may not read emon', anon, 'emon/#', false],
  ['legacy login may not subscribe', legacy, 'emon/#', false],
];

describe('MQTT authorization', () => {
  for (const [name, who, topic, allow] of publishTable) {
    it(`publish: ${name}`, () => assert.equal(decidePublish(who, 'c1', topic, []).allow, allow));
  }
  for (const [name, who, filter, allow] of subscribeTable) {
    it(`subscribe: ${name}`, () => assert.equal(decideSubscribe(who, 'c1', filter, []).allow, allow));
  }

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
      () => decidePublish(plug, 'c1', 'shared/dev-emonhub-emontx4/out', rules).allow,
      false,
    ],
    [
      '%c grants reading by client id',
      () => decideSubscribe(emontx, 'box-7', 'public/box-7/x', rules).allow,
      true,
    ],
    [
      '%c does not match another client id',
      () => decideSubscribe(emontx, 'box-7', 'public/box-8/x', rules).allow,
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
