import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE_KINDS } from '../../src/devices/device-topics.js';
import { DRIVEN_KINDS, driverFor } from '../../src/devices/driver-registry.js';
import { emonespDriver } from '../../src/devices/drivers/emonesp.js';
import { openevseDriver } from '../../src/devices/drivers/openevse.js';
import { shellyDriver } from '../../src/devices/drivers/shelly.js';
import { tasmotaDriver } from '../../src/devices/drivers/tasmota.js';
import { deviceDriverContract } from './device-driver.contract.js';
import {
  emonespFirmware,
  openevseFirmware,
  shellyFirmware,
  tasmotaFirmware,
} from './device-driver-firmwares.js';

const onOff = [{ on: true }, { on: false }];

deviceDriverContract('Tasmota, one relay with a meter (Sonoff POW)', {
  driver: tasmotaDriver,
  device: { topicName: 'plug1', config: { relayCount: 1, metering: true } },
  firmware: (d) => tasmotaFirmware(d.topicName, { relayCount: 1, metering: true }),
  desired: onOff,
  stateTopics: [
    'stat/plug1/RESULT',
    'stat/plug1/POWER',
    'tele/plug1/STATE',
    'tele/plug1/SENSOR',
    'tele/plug1/LWT',
    'stat/plug1/STATUS10',
  ],
  unrelated: [
    {
      topic: 'tele/plug1/SENSOR',
      payload: '{"Time":"2026-11-27T21:00:00","ENERGY":{"Total":3.185,"Today":0.127,"Power":41}}',
    },
    { topic: 'stat/plug1/RESULT', payload: '{"Command":"Unknown"}' },
    { topic: 'tele/plug1/INFO1', payload: '{"Module":"Sonoff Pow","Version":"13.2.0"}' },
  ],
});

deviceDriverContract('Tasmota, one relay reporting POWER1 (SetOption26)', {
  driver: tasmotaDriver,
  device: { topicName: 'lamp', config: { relayCount: 1, metering: false } },
  firmware: (d) => tasmotaFirmware(d.topicName, { relayCount: 1, metering: false, indexAlways: true }),
  desired: onOff,
  stateTopics: ['stat/lamp/RESULT', 'stat/lamp/POWER1'],
  unrelated: [{ topic: 'tele/lamp/SENSOR', payload: '{"Time":"2026-11-27T21:00:00","Switch1":"ON"}' }],
});

deviceDriverContract('Tasmota, four relays (Sonoff 4CH)', {
  driver: tasmotaDriver,
  device: { topicName: 'fourch', config: { relayCount: 4, metering: false } },
  firmware: (d) => tasmotaFirmware(d.topicName, { relayCount: 4, metering: false }),
  desired: [{ on: true, relay: 1 }, { on: false, relay: 3 }, { on: true }],
  stateTopics: ['stat/fourch/RESULT', 'stat/fourch/POWER2', 'tele/fourch/STATE'],
  unrelated: [{ topic: 'stat/fourch/RESULT', payload: '{"TelePeriod":300}' }],
});

deviceDriverContract('EmonESP smart plug paired under emon/<t>', {
  driver: emonespDriver,
  device: { topicName: 'sp1', config: { layout: 'nested', node: 'smartplug1', nodeType: 'smartplug' } },
  firmware: (d) =>
    emonespFirmware(d.topicName, { layout: 'nested', node: 'smartplug1', nodeType: 'smartplug' }),
  desired: onOff,
  stateTopics: [
    'emon/sp1/smartplug1/out/state',
    'emon/sp1/smartplug1/out/ctrlmode',
    'emon/sp1/smartplug1/state',
  ],
  unrelated: [
    { topic: 'emon/sp1/power1', payload: '41.2' },
    { topic: 'emon/sp1/smartplug1/describe', payload: 'smartplug' },
    { topic: 'emon/sp1/smartplug1/out/timer', payload: '0 0 0 0' },
  ],
});

deviceDriverContract('EmonESP WiFi relay on the older base emon', {
  driver: emonespDriver,
  device: { topicName: 'wifirelay1', config: { layout: 'flat', node: 'wifirelay1', nodeType: 'wifirelay' } },
  firmware: (d) => emonespFirmware(d.topicName, { layout: 'flat', node: d.topicName, nodeType: 'wifirelay' }),
  desired: onOff,
  stateTopics: ['emon/wifirelay1/out/state', 'emon/wifirelay1/out/ctrlmode', 'emon/wifirelay1/describe'],
  unrelated: [
    { topic: 'emon/wifirelay1/vrms', payload: '239.8' },
    { topic: 'emon/wifirelay1/describe', payload: 'wifirelay' },
  ],
});

deviceDriverContract('Shelly Plus Plug S', {
  driver: shellyDriver,
  device: { topicName: 'shellyplusplugs-80646fc9a0b8', config: { switchCount: 1, metering: true } },
  firmware: (d) =>
    shellyFirmware(d.topicName, { deviceId: 'shellyplusplugs-80646fc9a0b8', switches: 1, metering: true }),
  desired: onOff,
  stateTopics: [
    'shellyplusplugs-80646fc9a0b8/online',
    'shellyplusplugs-80646fc9a0b8/status/switch:0',
    'shellyplusplugs-80646fc9a0b8/events/rpc',
    'shellyplusplugs-80646fc9a0b8/hub/rpc',
  ],
  unrelated: [
    // The answer to Switch.Set: what the output was before, not what it is.
    {
      topic: 'shellyplusplugs-80646fc9a0b8/hub/rpc',
      payload:
        '{"id":1,"src":"shellyplusplugs-80646fc9a0b8","dst":"shellyplusplugs-80646fc9a0b8/hub","result":{"was_on":false}}',
    },
    {
      topic: 'shellyplusplugs-80646fc9a0b8/events/rpc',
      payload:
        '{"src":"shellyplusplugs-80646fc9a0b8","dst":"shellyplusplugs-80646fc9a0b8/events","method":"NotifyStatus","params":{"ts":1790000000.5,"switch:0":{"id":0,"apower":8.9,"current":0.04,"aenergy":{"total":1251.2}}}}',
    },
    { topic: 'shellyplusplugs-80646fc9a0b8/status/sys', payload: '{"uptime":3600,"ram_free":150000}' },
  ],
});

deviceDriverContract('Shelly Plus 2PM as two switches', {
  driver: shellyDriver,
  device: { topicName: 'garage', config: { switchCount: 2, metering: true } },
  firmware: (d) =>
    shellyFirmware(d.topicName, { deviceId: 'shellyplus2pm-a8032ab12345', switches: 2, metering: true }),
  desired: [{ on: true, relay: 1 }, { on: false, relay: 1 }, { on: true }],
  stateTopics: ['garage/status/switch:1', 'garage/events/rpc', 'garage/hub/rpc'],
  unrelated: [
    {
      topic: 'garage/hub/rpc',
      payload: '{"id":2,"src":"shellyplus2pm-a8032ab12345","dst":"garage/hub","result":{"was_on":true}}',
    },
  ],
});

deviceDriverContract('OpenEVSE WiFi v4', {
  driver: openevseDriver,
  device: { topicName: 'openevse-7b2c', config: {} },
  firmware: (d) => openevseFirmware(d.topicName),
  desired: [
    { on: true },
    { on: false },
    { currentLimitA: 16 },
    { on: true, currentLimitA: 10 },
    { energyLimitKWh: 10 },
    { energyLimitKWh: 7.25 },
    { energyLimitKWh: null },
  ],
  stateTopics: [
    'openevse-7b2c/override',
    'openevse-7b2c/limit',
    'openevse-7b2c/status',
    'openevse-7b2c/state',
    'openevse-7b2c/pilot',
    'openevse-7b2c/vehicle',
    'openevse-7b2c/session_energy',
    'openevse-7b2c/power',
    'openevse/announce/7b2c',
  ],
  unrelated: [
    { topic: 'openevse-7b2c/amp', payload: '15980' },
    { topic: 'openevse-7b2c/temp', payload: '312' },
    { topic: 'openevse-7b2c/freeram', payload: '104212' },
    { topic: 'openevse-7b2c/power', payload: '3680' },
    { topic: 'openevse-7b2c/session_energy', payload: '5400' },
    { topic: 'openevse-7b2c/vehicle', payload: '1' },
    { topic: 'openevse-7b2c/claim', payload: '{"state":"active","charge_current":10}' },
  ],
});

describe('every driven kind runs the contract suite', () => {
  it('has a driver for exactly the kinds above, and none for a gateway or the hub', () => {
    assert.deepEqual([...DRIVEN_KINDS].sort(), ['emonesp', 'openevse', 'shelly', 'tasmota']);
    for (const kind of DEVICE_KINDS)
      assert.equal(driverFor(kind)?.kind, DRIVEN_KINDS.includes(kind) ? kind : undefined);
  });
});
