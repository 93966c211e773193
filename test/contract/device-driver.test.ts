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
});

deviceDriverContract('Tasmota, one relay reporting POWER1 (SetOption26)', {
  driver: tasmotaDriver,
  device: { topicName: 'lamp', config: { relayCount: 1, metering: false } },
  firmware: (d) => tasmotaFirmware(d.topicName, { relayCount: 1, metering: false, indexAlways: true }),
  desired: onOff,
  stateTopics: ['stat/lamp/RESULT', 'stat/lamp/POWER1'],
});

deviceDriverContract('Tasmota, four relays (Sonoff 4CH)', {
  driver: tasmotaDriver,
  device: { topicName: 'fourch', config: { relayCount: 4, metering: false } },
  firmware: (d) => tasmotaFirmware(d.topicName, { relayCount: 4, metering: false }),
  desired: [{ on: true, relay: 1 }, { on: false, relay: 3 }, { on: true }],
  stateTopics: ['stat/fourch/RESULT', 'stat/fourch/POWER2', 'tele/fourch/STATE'],
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
});

deviceDriverContract('EmonESP WiFi relay on the older base emon', {
  driver: emonespDriver,
  device: { topicName: 'wifirelay1', config: { layout: 'flat', node: 'wifirelay1', nodeType: 'wifirelay' } },
  firmware: (d) => emonespFirmware(d.topicName, { layout: 'flat', node: d.topicName, nodeType: 'wifirelay' }),
  desired: onOff,
  stateTopics: ['emon/wifirelay1/out/state', 'emon/wifirelay1/out/ctrlmode', 'emon/wifirelay1/describe'],
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
});

deviceDriverContract('Shelly Plus 2PM as two switches', {
  driver: shellyDriver,
  device: { topicName: 'garage', config: { switchCount: 2, metering: true } },
  firmware: (d) =>
    shellyFirmware(d.topicName, { deviceId: 'shellyplus2pm-a8032ab12345', switches: 2, metering: true }),
  desired: [{ on: true, relay: 1 }, { on: false, relay: 1 }, { on: true }],
  stateTopics: ['garage/status/switch:1', 'garage/events/rpc', 'garage/hub/rpc'],
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
});

describe('every driven kind runs the contract suite', () => {
  it('has a driver for exactly the kinds above, and none for a gateway or the hub', () => {
    assert.deepEqual([...DRIVEN_KINDS].sort(), ['emonesp', 'openevse', 'shelly', 'tasmota']);
    for (const kind of DEVICE_KINDS)
      assert.equal(driverFor(kind)?.kind, DRIVEN_KINDS.includes(kind) ? kind : undefined);
  });
});
