import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseOpenEvseAnnounce,
  parseOpenEvseStatus,
  type OpenEvseAnnounce,
} from '../../../src/ingest/device-announce.js';
import type { Parsed } from '../../../src/ingest/readings.js';

// The payloads of OpenEVSE/ESP32_WiFi_V4.x src/mqtt.cpp (connect announce and last will).
const CONNECTED = {
  state: 'connected',
  id: 'c44f330d55ad',
  name: 'openevse-55ad',
  mqtt: 'emon/openevse-55ad',
  http: 'http://192.168.1.43/',
};
const WILL = { state: 'disconnected', id: 'c44f330d55ad', name: 'openevse-55ad' };
const announce = (json: unknown): Parsed<OpenEvseAnnounce> =>
  parseOpenEvseAnnounce(Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)), 'emon');
const ok = (value: OpenEvseAnnounce): Parsed<OpenEvseAnnounce> => ({ ok: true, value });

describe("OpenEVSE's announce", () => {
  const table: [string, unknown, Parsed<OpenEvseAnnounce>][] = [
    [
      'connected, readings under emon/<node>',
      CONNECTED,
      ok({
        state: 'connected',
        id: 'c44f330d55ad',
        name: 'openevse-55ad',
        mqttTopic: 'emon/openevse-55ad',
        node: 'openevse-55ad',
      }),
    ],
    ['its last will', WILL, ok({ state: 'disconnected', id: 'c44f330d55ad', name: 'openevse-55ad' })],
    [
      'the default base topic (its host name): a topic of its own',
      { ...CONNECTED, mqtt: 'openevse-55ad' },
      ok({
        state: 'connected',
        id: 'c44f330d55ad',
        name: 'openevse-55ad',
        mqttTopic: 'openevse-55ad',
        ownTopic: 'openevse-55ad',
      }),
    ],
    ...[
      'tele',
      'Shellies',
      'homeassistant',
      'openevse',
      'emon',
      'hub',
      '$SYS',
      'a+b',
      '#',
      'x'.repeat(65),
      '',
    ].map((mqtt): [string, unknown, Parsed<OpenEvseAnnounce>] => [
      `a reserved or invalid base topic ${JSON.stringify(mqtt.slice(0, 8))}: not read`,
      { ...CONNECTED, mqtt },
      ok({ state: 'connected', id: 'c44f330d55ad', name: 'openevse-55ad', mqttTopic: mqtt }),
    ]),
    [
      'a base topic two levels below emon: no node',
      { ...CONNECTED, mqtt: 'emon/garage/evse' },
      ok({ state: 'connected', id: 'c44f330d55ad', name: 'openevse-55ad', mqttTopic: 'emon/garage/evse' }),
    ],
    [
      'a node emoncms would clean: no node',
      { ...CONNECTED, mqtt: 'emon/ev(1)' },
      ok({ state: 'connected', id: 'c44f330d55ad', name: 'openevse-55ad', mqttTopic: 'emon/ev(1)' }),
    ],
    ['not JSON', 'connected', { ok: false, error: "announce 'connected' is not a JSON object" }],
    [
      'an unknown state',
      { ...CONNECTED, state: 'sleeping' },
      { ok: false, error: "announce state 'sleeping' is not connected or disconnected" },
    ],
    ['no id', { state: 'connected', name: 'x' }, { ok: false, error: 'announce without a text id and name' }],
  ];
  for (const [name, json, expected] of table) it(name, () => assert.deepEqual(announce(json), expected));
});

describe("OpenEVSE's status values under a base topic of its own", () => {
  const status = (topic: string, payload: string) =>
    parseOpenEvseStatus('openevse-a1b2', topic, Buffer.from(payload), 1_790_000_000);
  it('a number is a reading of node <base>', () =>
    assert.deepEqual(status('openevse-a1b2/amp', '16000'), {
      ok: true,
      value: { node: 'openevse-a1b2', timeS: 1_790_000_000, values: [{ name: 'amp', value: 16000 }] },
    }));
  it('JSON and text are not readings', () => {
    assert.equal(status('openevse-a1b2/config', '{"firmware":"7.1.3"}'), undefined);
    assert.equal(status('openevse-a1b2/status', 'active'), undefined);
    assert.equal(status('openevse-a1b2/override', '{"state":"null"}'), undefined);
  });
  it('another base topic or a deeper topic is not its reading', () => {
    assert.equal(status('openevse-ffff/amp', '1'), undefined);
    assert.equal(status('openevse-a1b2/override/set', '1'), undefined);
  });
  it('a key emoncms cannot name is refused', () => assert.equal(status('openevse-a1b2/()', '1')?.ok, false));
});
