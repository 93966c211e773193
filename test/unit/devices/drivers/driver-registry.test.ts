import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { driverFor, parseDriverConfig } from '../../../../src/devices/driver-registry.js';

describe('driver registry', () => {
  it('has no driver for a gateway or the hub', () => {
    assert.equal(driverFor('emonhub'), undefined);
    assert.equal(driverFor('hub'), undefined);
    assert.equal(parseDriverConfig('emonhub', '{}'), undefined);
  });

  it('gives the defaults, without a problem, for a device with no stored config', () => {
    for (const json of [null, undefined, '', '  '])
      assert.deepEqual(parseDriverConfig('tasmota', json), {
        config: { relayCount: 1, metering: false },
        problem: null,
      });
    assert.deepEqual(parseDriverConfig('emonesp', null)?.config, {
      layout: 'nested',
      node: null,
      nodeType: null,
    });
  });

  it('takes a stored config that is valid, filling in what it lacks', () => {
    assert.deepEqual(parseDriverConfig('tasmota', '{"relayCount":4}'), {
      config: { relayCount: 4, metering: false },
      problem: null,
    });
    assert.deepEqual(parseDriverConfig('shelly', '{"switchCount":2,"metering":true}')?.config, {
      switchCount: 2,
      metering: true,
    });
  });

  it('falls back to the defaults with the reason for a config it cannot use', () => {
    const bad = parseDriverConfig('tasmota', '{"relayCount":9}');
    assert.deepEqual(bad?.config, { relayCount: 1, metering: false });
    assert.match(bad?.problem ?? '', /^the stored tasmota config is not valid at relayCount: /);
    const notJson = parseDriverConfig('emonesp', '{node');
    assert.deepEqual(notJson?.config, { layout: 'nested', node: null, nodeType: null });
    assert.match(notJson?.problem ?? '', /^the stored emonesp config is not JSON/);
    assert.match(parseDriverConfig('emonesp', '{"node":"a/b"}')?.problem ?? '', /at node/);
  });
});
