import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readClaimFacts, type ClaimFacts } from '../../../src/pairing/claim-facts.js';
import { handoverMessages, openevseConfigUrl, shellyInfoRequest } from '../../../src/pairing/handover.js';

// What a pairing device's first messages say about it, and the firmware commands that give it its
// own login (topics and payloads: reference/demandshaper.md §5, the firmware sources named there).
const facts = (topic: string, payload: string) => readClaimFacts(topic, Buffer.from(payload));

const TASMOTA_DISCOVERY = JSON.stringify({
  ip: '192.168.1.23',
  dn: 'Washer',
  fn: ['Washer', null],
  hn: 'tasmota-1A2B3C-1234',
  mac: 'A4CF121A2B3C',
  md: 'Sonoff Pow R2',
  t: 'tasmota_1A2B3C',
  ft: '%prefix%/%topic%/',
  tp: ['cmnd', 'stat', 'tele'],
  rl: [1, 0, 0, 0, 0, 0, 0, 0],
  ver: 1,
});

describe('what a pairing device tells about itself', () => {
  const cases: [string, string, string, ClaimFacts | undefined][] = [
    ['Tasmota LWT', 'tele/tasmota_1A2B3C/LWT', 'Online', { kind: 'tasmota', topicName: 'tasmota_1A2B3C' }],
    ['Tasmota LWT Offline says nothing', 'tele/tasmota_1A2B3C/LWT', 'Offline', undefined],
    [
      'Tasmota INFO1',
      'tele/t1/INFO1',
      '{"Info1":{"Module":"Sonoff Basic","Version":"14.3.0"}}',
      { kind: 'tasmota', topicName: 't1', model: 'Sonoff Basic' },
    ],
    [
      'Tasmota native discovery',
      'tasmota/discovery/A4CF121A2B3C/config',
      TASMOTA_DISCOVERY,
      { kind: 'tasmota', topicName: 'tasmota_1A2B3C', model: 'Sonoff Pow R2', label: 'Washer' },
    ],
    [
      'Tasmota with another FullTopic',
      'tasmota/discovery/A4CF121A2B3C/config',
      JSON.stringify({ t: 'x', ft: '%topic%/%prefix%/' }),
      {
        kind: 'tasmota',
        topicName: 'x',
        problem: "its FullTopic is %topic%/%prefix%/; the hub speaks Tasmota's default %prefix%/%topic%/",
      },
    ],
    [
      'Shelly online',
      'shellyplusplugs-a8032ab1c2d3/online',
      'true',
      { kind: 'shelly', topicName: 'shellyplusplugs-a8032ab1c2d3' },
    ],
    ['Shelly offline says nothing', 'shellyplusplugs-a8032ab1c2d3/online', 'false', undefined],
    [
      'Shelly GetDeviceInfo answer',
      'hub-pairing/rpc',
      JSON.stringify({
        id: 1,
        src: 'shellyplus1pm-x',
        result: { model: 'SNSW-001P16EU', gen: 2, app: 'Plus1PM', name: null },
      }),
      { rpcReply: { id: 1 }, kind: 'shelly', model: 'SNSW-001P16EU', label: 'Plus1PM' },
    ],
    [
      'Shelly RPC error',
      'hub-pairing/rpc',
      JSON.stringify({ id: 2, error: { code: -103, message: 'Missing or invalid argument' } }),
      { rpcReply: { id: 2, error: 'Missing or invalid argument' } },
    ],
    [
      'OpenEVSE announce',
      'openevse/announce/7b2c',
      JSON.stringify({
        state: 'connected',
        id: 'c44f337b2c',
        name: 'openevse-7b2c',
        mqtt: 'openevse-7b2c',
        http: 'http://192.168.1.30/',
      }),
      {
        kind: 'openevse',
        topicName: 'openevse-7b2c',
        model: 'OpenEVSE',
        label: 'openevse-7b2c',
        http: 'http://192.168.1.30/',
      },
    ],
    [
      'OpenEVSE will says nothing',
      'openevse/announce/7b2c',
      '{"state":"disconnected","id":"c44f337b2c"}',
      undefined,
    ],
    [
      'OpenEVSE base of two levels',
      'openevse/announce/7b2c',
      JSON.stringify({ state: 'connected', mqtt: 'home/evse' }),
      { kind: 'openevse', problem: 'its base topic "home/evse" has more than one level' },
    ],
    ['bad JSON', 'tasmota/discovery/A4CF121A2B3C/config', '{nope', undefined],
    ['a wildcard-ish level', '#/online', 'true', undefined],
    ['anything else', 'emon/x/power', '12', undefined],
  ];
  for (const [name, topic, payload, expected] of cases) {
    it(name, () => assert.deepEqual(facts(topic, payload), expected));
  }

  it('keeps names short and on one line', () => {
    const long = 'A'.repeat(100);
    const got = facts('tele/t1/INFO1', JSON.stringify({ Info1: { Module: `x\n${long}` } }));
    assert.equal(got?.model, `x ${long}`.slice(0, 64));
  });
});

describe("an OpenEVSE's web API address", () => {
  it('is only ever the address it pairs from, on the port it announces for that address', () => {
    assert.equal(openevseConfigUrl('192.168.1.30', 'http://192.168.1.30/'), 'http://192.168.1.30/config');
    assert.equal(openevseConfigUrl('127.0.0.1', 'http://127.0.0.1:8081/'), 'http://127.0.0.1:8081/config');
    assert.equal(openevseConfigUrl('192.168.1.30', 'http://10.0.0.1:8081/'), 'http://192.168.1.30/config');
    assert.equal(openevseConfigUrl('192.168.1.30', 'http://evil.example/x'), 'http://192.168.1.30/config');
    assert.equal(openevseConfigUrl('192.168.1.30', null), 'http://192.168.1.30/config');
    assert.equal(openevseConfigUrl('192.168.1.30', 'not a url'), 'http://192.168.1.30/config');
  });
});

describe("the firmware's own command that gives a device its login", () => {
  const login = { username: 'dev-tasmota-t1', secret: 'S3cr3t_-x', topicName: 't1', newTopicName: 't1' };

  it('Tasmota: one Backlog, renaming its topic when the hub must', () => {
    assert.deepEqual(handoverMessages({ ...login, kind: 'tasmota' }, 1), [
      { topic: 'cmnd/t1/Backlog', payload: 'MqttUser dev-tasmota-t1; MqttPassword2 S3cr3t_-x' },
    ]);
    assert.deepEqual(handoverMessages({ ...login, kind: 'tasmota', newTopicName: 't1-2' }, 1), [
      { topic: 'cmnd/t1/Backlog', payload: 'MqttUser dev-tasmota-t1; MqttPassword2 S3cr3t_-x; Topic t1-2' },
    ]);
  });

  it('Shelly: MQTT.SetConfig then Shelly.Reboot on its rpc topic, answers to hub-pairing', () => {
    const sent = handoverMessages({ ...login, kind: 'shelly', topicName: 'sh1', newTopicName: 'sh2' }, 5);
    assert.deepEqual(
      sent.map((m) => [m.topic, JSON.parse(m.payload)]),
      [
        [
          'sh1/rpc',
          {
            id: 5,
            src: 'hub-pairing',
            method: 'MQTT.SetConfig',
            params: { config: { user: 'dev-tasmota-t1', pass: 'S3cr3t_-x', topic_prefix: 'sh2' } },
          },
        ],
        ['sh1/rpc', { id: 6, src: 'hub-pairing', method: 'Shelly.Reboot', params: {} }],
      ],
    );
    assert.deepEqual(JSON.parse(shellyInfoRequest('sh1', 9).payload), {
      id: 9,
      src: 'hub-pairing',
      method: 'Shelly.GetDeviceInfo',
      params: {},
    });
  });

  it('OpenEVSE: its config/set topic with mqtt_user and mqtt_pass', () => {
    const [only, ...rest] = handoverMessages(
      { ...login, kind: 'openevse', topicName: 'openevse-7b2c', newTopicName: 'openevse-7b2c' },
      1,
    );
    assert.deepEqual(rest, []);
    assert.equal(only!.topic, 'openevse-7b2c/config/set');
    assert.deepEqual(JSON.parse(only!.payload), { mqtt_user: 'dev-tasmota-t1', mqtt_pass: 'S3cr3t_-x' });
  });
});
