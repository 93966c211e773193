import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEmonMessage, type EmonMessage } from '../../../src/ingest/mqtt-payload.js';

const NOW_S = 1700000000;
const opts = { baseTopic: 'emon', nowS: NOW_S };
const parse = (topic: string, payload: string, o: Partial<typeof opts> & { maxFutureS?: number } = {}) =>
  parseEmonMessage(topic, Buffer.from(payload), { ...opts, ...o });

const at = (node: string, values: [string, number | null][], timeS = NOW_S): EmonMessage => ({
  node,
  timeS,
  values: values.map(([name, value]) => ({ name, value })),
});

describe('emoncms MQTT messages that are read', () => {
  const table: [string, string, string, EmonMessage][] = [
    // emonhub nodevar format, enabled in every shipped emonSD conf
    ['emonhub nodevar value', 'emon/emonpi/power1', '123.4', at('emonpi', [['power1', 123.4]])],
    ['emonhub nodevar rssi', 'emon/emontx4/rssi', '-45', at('emontx4', [['rssi', -45]])],
    ['emonhub nodevar unnamed value (names 1, 2, …)', 'emon/emontx3/1', '17', at('emontx3', [['1', 17]])],
    ['a value with a trailing newline', 'emon/emonpi/vrms', '241.3\n', at('emonpi', [['vrms', 241.3]])],
    ['extra topic levels are joined with _', 'emon/a/b/c', '1', at('a', [['b_c', 1]])],
    ['colons are removed from the topic', 'emon/node:1/po:wer', '5', at('node1', [['power', 5]])],
    [
      'characters emoncms strips are stripped from names',
      'emon/heat pump/flow(T)',
      '35.5',
      at('heat pump', [['flowT', 35.5]]),
    ],
    [
      'node-only topic: comma values named 0, 1, 2 (HTTP csv starts at 1)',
      'emon/emontx',
      '10,11,12',
      at('emontx', [
        ['0', 10],
        ['1', 11],
        ['2', 12],
      ]),
    ],
    [
      'node-only topic: a non-numeric element becomes null',
      'emon/rfnode',
      '1,,abc,4',
      at('rfnode', [
        ['0', 1],
        ['1', null],
        ['2', null],
        ['3', 4],
      ]),
    ],
    ['EmonESP HEAD with basetopic emon: the key is the node', 'emon/CT1', '100', at('CT1', [['0', 100]])],
    [
      'EmonESP 2019: emon/<node>/<key>',
      'emon/smartplug1/freeram',
      '23412',
      at('smartplug1', [['freeram', 23412]]),
    ],
    [
      'OpenEVSE status value under emon/openevse',
      'emon/openevse/amp',
      '16000',
      at('openevse', [['amp', 16000]]),
    ],
    [
      'emonhub JSON format with a float time (cut to seconds)',
      'emon/emonpi',
      '{"power1":100,"power2":-20.5,"time":1699999990.75,"rssi":-50}',
      at(
        'emonpi',
        [
          ['power1', 100],
          ['power2', -20.5],
          ['rssi', -50],
        ],
        1699999990,
      ),
    ],
    [
      'JSON time key in any case, as a numeric string',
      'emon/n',
      '{"TIME":"1699999000","a":1}',
      at('n', [['a', 1]], 1699999000),
    ],
    [
      'JSON time as an ISO date',
      'emon/n',
      '{"time":"2023-11-14T22:00:00Z","a":1}',
      at('n', [['a', 1]], 1699999200),
    ],
    [
      'extra topic levels prefix JSON names',
      'emon/openevse/status',
      '{"amp":16000}',
      at('openevse', [['status_amp', 16000]]),
    ],
    ['two extra levels prefix with both', 'emon/n/x/y', '{"a":1}', at('n', [['x_y_a', 1]])],
    [
      '{name, value} objects are unboxed to key_name',
      'emon/n',
      '{"k":{"name":"ct1","value":10}}',
      at('n', [['k_ct1', 10]]),
    ],
    ['{value} alone keeps the key', 'emon/n', '{"k":{"value":10}}', at('n', [['k', 10]])],
    [
      'a name of "0" is not appended (PHP falsy)',
      'emon/n',
      '{"k":{"name":"0","value":3}}',
      at('n', [['k', 3]]),
    ],
    ['a numeric name is appended', 'emon/n', '{"k":{"name":2,"value":3}}', at('n', [['k_2', 3]])],
    [
      'a JSON array names its values 0, 1 (PHP arrays)',
      'emon/n/arr',
      '[5,6]',
      at('n', [
        ['arr_0', 5],
        ['arr_1', 6],
      ]),
    ],
    [
      'non-numeric JSON values become null next to numbers',
      'emon/openevse',
      '{"amp":16000,"status":"active","temp":false,"x":null,"v":"230.5"}',
      at('openevse', [
        ['amp', 16000],
        ['status', null],
        ['temp', null],
        ['x', null],
        ['v', 230.5],
      ]),
    ],
    ['a repeated name keeps the last value', 'emon/n', '{"a(1)":1,"a1":2}', at('n', [['a1', 2]])],
    ['a bare number is text, not JSON', 'emon/n/a', '10', at('n', [['a', 10]])],
    ['a deep base topic', 'home/energy/meter/p', '7', at('meter', [['p', 7]])],
  ];
  for (const [name, topic, payload, expected] of table)
    it(name, () => {
      const base = topic.startsWith('home/') ? 'home/energy' : 'emon';
      assert.deepEqual(parse(topic, payload, { baseTopic: base }), { ok: true, value: expected });
    });
});

describe('describe: the device type for auto-configuration', () => {
  it('EmonESP announces its type on <node>/describe; the text is kept, no reading', () =>
    assert.deepEqual(parse('emon/smartplug1/describe', 'smartplug'), {
      ok: true,
      value: { node: 'smartplug1', timeS: NOW_S, values: [], describe: 'smartplug' },
    }));
  it('describe is matched in any case and trimmed', () =>
    assert.deepEqual(parse('emon/relay2/Describe', ' wifirelay\n'), {
      ok: true,
      value: { node: 'relay2', timeS: NOW_S, values: [], describe: 'wifirelay' },
    }));
  it('a describe key in a JSON object is taken out of the readings', () =>
    assert.deepEqual(parse('emon/hp', '{"describe":"hpmon","flowT":35}'), {
      ok: true,
      value: { node: 'hp', timeS: NOW_S, values: [{ name: 'flowT', value: 35 }], describe: 'hpmon' },
    }));
  it('a prefixed describe is an ordinary input (emoncms matches the whole name)', () =>
    assert.deepEqual(parse('emon/n/sub', '{"describe":5}'), {
      ok: true,
      value: at('n', [['sub_describe', 5]]),
    }));
  it('a paired EmonESP (base emon/<n>) describes itself under its own node name', () =>
    assert.deepEqual(parse('emon/plug-23/smartplug1/describe', 'smartplug'), {
      ok: true,
      value: { node: 'plug-23', timeS: NOW_S, values: [], describe: 'smartplug' },
    }));
  it('readings without describe carry no describe field', () => {
    const r = parse('emon/n/a', '1');
    assert.ok(r?.ok && !('describe' in r.value));
  });
});

describe('emoncms MQTT messages that are not for ingest', () => {
  const table: [string, string][] = [
    ['another base topic (emonhub node format)', 'emonhub/rx/10/values'],
    ['a topic that only starts with the base letters', 'emonhub2/x'],
    ['the hub namespace', 'hub/signals/tariff'],
    ["an EmonESP command (the hub's own)", 'emon/smartplug1/in/ctrlmode'],
    ['an EmonESP command to a paired plug', 'emon/plug-23/smartplug1/in/ctrlmode'],
    ["an EmonESP's state answer", 'emon/plug-23/smartplug1/out/state'],
    ['an EmonESP button press', 'emon/smartplug1/out/ctrlmode'],
  ];
  for (const [name, topic] of table) it(name, () => assert.equal(parse(topic, '1'), undefined));
});

describe('emoncms MQTT messages that are refused', () => {
  const table: [string, string, string, RegExp, number?][] = [
    ['a word instead of a number', 'emon/badnode/power', 'twelve', /no numeric value in 'twelve'/],
    ['Infinity', 'emon/badnode/power', 'Infinity', /no numeric value/],
    ['an overflowing number', 'emon/n/p', '1e999', /no numeric value/],
    ['an empty payload (a cleared retained message)', 'emon/n/p', '', /no numeric value/],
    ['a node-only csv with no number', 'emon/n', 'a,b', /no numeric value/],
    ['a JSON object with no number', 'emon/n', '{"status":"active"}', /no numeric value/],
    ['an empty JSON object', 'emon/n', '{}', /no numeric value/],
    ['a JSON object with only a time', 'emon/n', '{"time":1699999999}', /no numeric value/],
    ['the base topic itself', 'emon', '1', /names no node/],
    ['an empty node level', 'emon//power', '1', /node '' is empty/],
    ['a node of stripped characters only', 'emon/(%)/power', '1', /node '\(%\)' is empty/],
    ['a trailing slash (empty name)', 'emon/n/', '1', /input name '' is empty/],
    ['a node over 64 characters', `emon/${'n'.repeat(65)}/p`, '1', /longer than 64/],
    ['a JSON name over 64 characters', 'emon/n', `{"${'a'.repeat(65)}":1}`, /longer than 64/],
    ['a JSON key that cleans to nothing', 'emon/n', '{"()":1}', /input name '\(\)' is empty/],
    ['a nested value that is not {value}', 'emon/n', '{"a":1,"b":{"c":2}}', /'b' is an object or array/],
    ['an array value', 'emon/n', '{"a":1,"b":[1,2]}', /'b' is an object or array/],
    ['JSON nested deeper than 3 levels', 'emon/n', '{"a":{"b":{"c":{"d":1}}}}', /deeper than 3/],
    ['a time that is not a time', 'emon/n', '{"time":"soon","a":1}', /time 'soon' is not unix seconds/],
    ['a boolean time', 'emon/n', '{"time":true,"a":1}', /time 'true' is not unix seconds/],
    ['a time too far ahead', 'emon/n', `{"time":${NOW_S + 301},"a":1}`, /more than 300 s in the future/, 300],
    ['a time in milliseconds', 'emon/n', `{"time":${NOW_S * 1000},"a":1}`, /in the future/, 300],
  ];
  for (const [name, topic, payload, expected, maxFutureS] of table)
    it(name, () => {
      const r = parse(topic, payload, maxFutureS === undefined ? {} : { maxFutureS });
      assert.equal(r?.ok, false, JSON.stringify(r));
      assert.match(r && !r.ok ? r.error : '', expected);
    });

  it('a time within the allowance is accepted', () =>
    assert.deepEqual(parse('emon/n', `{"time":${NOW_S + 300},"a":1}`, { maxFutureS: 300 }), {
      ok: true,
      value: at('n', [['a', 1]], NOW_S + 300),
    }));
  it('the base topic is only removed at the start (emoncms removes it anywhere)', () =>
    assert.deepEqual(parse('emon/myemon/x', '1'), { ok: true, value: at('myemon', [['x', 1]]) }));
});
