import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  emoncmsFailure,
  emoncmsReply,
  emoncmsSuccess,
  parseInputPost,
} from '../../../src/ingest/http-input.js';
import type { NodeReadings } from '../../../src/ingest/readings.js';

const NOW_S = 1700000000;
const MAX_FUTURE_S = 300;
const post = (params: Record<string, unknown>, pathNode?: string) =>
  parseInputPost(
    params,
    NOW_S,
    pathNode === undefined ? { maxFutureS: MAX_FUTURE_S } : { maxFutureS: MAX_FUTURE_S, pathNode },
  );

const readings = (node: string, values: [string, number | null][], timeS = NOW_S): NodeReadings => ({
  node,
  timeS,
  values: values.map(([name, value]) => ({ name, value })),
});

// OpenEVSE ESP32_WiFi_V4.x create_rapi_json(), posted as `fulljson` every 30 s.
const OPENEVSE = {
  evse_connected: 1,
  amp: 15900,
  voltage: 240,
  power: 3816,
  pilot: 16,
  max_current: 32,
  temp: 345,
  temp_max: 345,
  temp1: false,
  temp2: 338,
  temp3: false,
  state: 3,
  status: 'active',
  flags: 512,
  vehicle: 1,
  colour: 6,
  manual_override: 0,
  freeram: 123456,
  divertmode: 1,
  srssi: -61,
  time: '2023-11-14T22:13:00Z',
  local_time: '2023-11-14T23:13:00+0100',
  offset: '+0100',
  uptime: 86400,
  session_elapsed: 1200,
  session_energy: 1272.5,
  total_energy: 1234.5,
};

describe('input/post that is read', () => {
  const table: [string, Record<string, unknown>, NodeReadings, boolean, string?][] = [
    [
      'legacy json with node (emoncms API example)',
      { node: '10', json: '{power1:100,power2:200,power3:300}' },
      readings('10', [
        ['power1', 100],
        ['power2', 200],
        ['power3', 300],
      ]),
      false,
    ],
    ['no node means node 0', { json: '{power:200}' }, readings('0', [['power', 200]]), false],
    ['an empty node means node 0', { node: '', csv: '5' }, readings('0', [['1', 5]]), false],
    [
      'csv values are named from 1',
      { node: '1', csv: '100,200,300' },
      readings('1', [
        ['1', 100],
        ['2', 200],
        ['3', 300],
      ]),
      false,
    ],
    ['data works as csv', { data: '7.5' }, readings('0', [['1', 7.5]]), false],
    [
      'legacy json tolerates quotes, spaces and mixed csv',
      { node: 'emontx', json: '{"a": 1, "b": -2.5e3, 9}' },
      readings('emontx', [
        ['a', 1],
        ['b', -2500],
        ['1', 9],
      ]),
      false,
    ],
    [
      'legacy json: null is a value (stored as null; emoncms stores 0)',
      { json: 'a:null' },
      readings('0', [['a', null]]),
      false,
    ],
    [
      'legacy json: a time key is an ordinary input, as in emoncms',
      { json: 'time:5,a:1' },
      readings('0', [
        ['time', 5],
        ['a', 1],
      ]),
      false,
    ],
    ['json wins over csv', { json: 'a:1', csv: '2' }, readings('0', [['a', 1]]), false],
    ['node characters are cleaned', { node: 'power(W)', csv: '1' }, readings('powerW', [['1', 1]]), false],
    [
      'the path node wins over node=',
      { node: 'x', csv: '1' },
      readings('emontx', [['1', 1]]),
      false,
      'emontx',
    ],
    [
      'a path node of "0" does not count (PHP falsy)',
      { node: 'x', csv: '1' },
      readings('x', [['1', 1]]),
      false,
      '0',
    ],
    ['time in seconds', { time: '1699999000', csv: '1' }, readings('0', [['1', 1]], 1699999000), false],
    [
      'time as an ISO date',
      { time: '2023-11-14T22:00:00Z', csv: '1' },
      readings('0', [['1', 1]], 1699999200),
      false,
    ],
    ['an empty time means now', { time: '', csv: '1' }, readings('0', [['1', 1]]), false],
    [
      'EmonESP fulljson',
      { node: 'emonesp', fulljson: '{"CT1":100.5,"CT2":-3,"T1":21.25}', apikey: 'x'.repeat(32) },
      readings('emonesp', [
        ['CT1', 100.5],
        ['CT2', -3],
        ['T1', 21.25],
      ]),
      true,
    ],
    [
      'fulljson time key (any case) sets the time and is not an input',
      { fulljson: '{"Time":1699999100,"a":1}' },
      readings('0', [['a', 1]], 1699999100),
      true,
    ],
    [
      'the time parameter wins over the fulljson time key',
      { time: '1699999000', fulljson: '{"time":1699999100,"a":1}' },
      readings('0', [['a', 1]], 1699999000),
      true,
    ],
    [
      'fulljson: numeric strings are numbers, null and "null" are null',
      { fulljson: '{"a":"12.5","b":null,"c":"null"}' },
      readings('0', [
        ['a', 12.5],
        ['b', null],
        ['c', null],
      ]),
      true,
    ],
    [
      'fulljson present: the json text is read as strict JSON, as emoncms does',
      { json: '{"a":1}', fulljson: '{"b":2}' },
      readings('0', [['a', 1]]),
      true,
    ],
    [
      'a fulljson array names values 0, 1',
      { fulljson: '[4,5]' },
      readings('0', [
        ['0', 4],
        ['1', 5],
      ]),
      true,
    ],
    ['a repeated name keeps the last value', { json: 'a:1,a:2' }, readings('0', [['a', 2]]), false],
  ];
  for (const [name, params, expected, fulljson, pathNode] of table)
    it(name, () =>
      assert.deepEqual(post(params, pathNode), { ok: true, value: { readings: expected, fulljson } }),
    );

  it('OpenEVSE fulljson: ISO time, text and false become null, "+0100" is numeric as in PHP', () => {
    const r = post({ node: 'openevse', fulljson: JSON.stringify(OPENEVSE) });
    assert.ok(r.ok, !r.ok ? r.error : '');
    const { readings: got, fulljson } = r.value;
    assert.equal(fulljson, true);
    assert.equal(got.node, 'openevse');
    assert.equal(got.timeS, 1699999980);
    const byName = new Map(got.values.map((v) => [v.name, v.value]));
    assert.equal(byName.size, Object.keys(OPENEVSE).length - 1);
    assert.equal(byName.has('time'), false);
    assert.equal(byName.get('amp'), 15900);
    assert.equal(byName.get('status'), null);
    assert.equal(byName.get('temp1'), null);
    assert.equal(byName.get('local_time'), null);
    assert.equal(byName.get('offset'), 100);
    assert.equal(byName.get('session_energy'), 1272.5);
  });
});

describe('input/post that is refused', () => {
  const table: [string, Record<string, unknown>, string | RegExp][] = [
    ['no data at all', { node: '1' }, 'Request contains no data via csv, json or data tag'],
    ['empty data', { csv: '' }, 'Request contains no data via csv, json or data tag'],
    ['an empty fulljson object', { fulljson: '{}' }, 'Request contains no data via csv, json or data tag'],
    [
      'a fulljson object with only a time',
      { fulljson: '{"time":1699999999}' },
      'Request contains no data via csv, json or data tag',
    ],
    ['fulljson that is not JSON', { fulljson: '{a:1}' }, 'Input in not a valid JSON object'],
    ['fulljson that is a bare number', { fulljson: '5' }, 'Input in not a valid JSON object'],
    [
      'fulljson nested deeper than 2',
      { fulljson: '{"a":{"b":{"c":1}}}' },
      'Input in not a valid JSON object',
    ],
    [
      'fulljson with a nested value',
      { fulljson: '{"a":{"b":1}}' },
      "Format error, json value of 'a' is not numeric",
    ],
    ['fulljson with "NaN"', { fulljson: '{"a":"NaN"}' }, "Format error, json value of 'a' is not numeric"],
    [
      'fulljson with "-Infinity"',
      { fulljson: '{"a":"-Infinity"}' },
      "Format error, json value of 'a' is not numeric",
    ],
    [
      'fulljson with an overflowing number',
      { fulljson: '{"a":1e999}' },
      "Format error, json value of 'a' is not numeric",
    ],
    [
      'fulljson with a bad time key',
      { fulljson: '{"time":"later","a":1}' },
      /time 'later' is not unix seconds/,
    ],
    ['fulljson with a key that cleans to nothing', { fulljson: '{"()":1}' }, /input name '\(\)' is empty/],
    ['a csv word', { csv: '1,abc' }, 'Format error: csv value is not numeric'],
    ['csv NaN', { csv: 'NaN' }, 'Format error: csv value is not numeric'],
    ['csv Infinity', { csv: 'Infinity' }, 'Format error: csv value is not numeric'],
    ['csv overflowing number', { csv: '1e999' }, 'Format error: csv value is not numeric'],
    ['an empty csv element', { csv: '1,,3' }, 'Format error: csv value is not numeric'],
    ['a legacy json word value', { json: '{a:abc}' }, 'Format error, json value is not numeric'],
    ['a legacy json empty value', { json: 'a:' }, 'Format error, json value is not numeric'],
    ['a legacy json missing key', { json: ':5' }, 'Format error, json key missing or invalid character'],
    ['a node of stripped characters only', { node: '()', csv: '1' }, /node '\(\)' is empty once cleaned/],
    ['a node over 64 characters', { node: 'n'.repeat(65), csv: '1' }, /longer than 64 characters/],
    ['a node given twice', { node: ['a', 'b'], csv: '1' }, 'Format error, node must be given once, as text'],
    ['data given twice', { csv: ['1', '2'] }, 'Format error, csv must be given once, as text'],
    [
      'a time that is not a time',
      { time: 'tomorrow', csv: '1' },
      /time 'tomorrow' is not unix seconds or an ISO 8601 date/,
    ],
    [
      'a time too far ahead',
      { time: String(NOW_S + 301), csv: '1' },
      'Format error, time 1700000301 is more than 300 s in the future',
    ],
    ['a time in milliseconds', { time: String(NOW_S * 1000), csv: '1' }, /more than 300 s in the future/],
    ['a time before 1970', { time: '-10', csv: '1' }, /before 1970/],
  ];
  for (const [name, params, expected] of table)
    it(name, () => {
      const r = post(params);
      assert.equal(r.ok, false, JSON.stringify(r));
      if (typeof expected === 'string') assert.equal(!r.ok && r.error, expected);
      else assert.match(!r.ok ? r.error : '', expected);
    });
  it('a time at the allowance is accepted', () =>
    assert.ok(post({ time: String(NOW_S + 300), csv: '1' }).ok));
});

describe('emoncms reply bodies', () => {
  const table: [string, string, string][] = [
    ['ok for json/csv', emoncmsSuccess(false), 'ok'],
    ['{"success": true} with a space for fulljson', emoncmsSuccess(true), '{"success": true}'],
    [
      'failure message in the emoncms shape',
      emoncmsFailure('Format error: csv value is not numeric'),
      '{"success": false, "message": "Format error: csv value is not numeric"}',
    ],
    [
      'double quotes become single quotes',
      emoncmsFailure('node "x" was ignored'),
      `{"success": false, "message": "node 'x' was ignored"}`,
    ],
    [
      'backslashes and newlines are escaped so the body stays JSON',
      emoncmsFailure('a\\b\nc'),
      '{"success": false, "message": "a\\\\b\\nc"}',
    ],
    ['reply of a parsed post', emoncmsReply(post({ csv: '1' })), 'ok'],
    ['reply of a parsed fulljson post', emoncmsReply(post({ fulljson: '{"a":1}' })), '{"success": true}'],
    [
      'reply of a refusal',
      emoncmsReply(post({ csv: 'x' })),
      '{"success": false, "message": "Format error: csv value is not numeric"}',
    ],
  ];
  for (const [name, body, expected] of table) it(name, () => assert.equal(body, expected));
  it('every failure body is JSON with success false', () =>
    assert.deepEqual(JSON.parse(emoncmsFailure('x "y" \\ \u0001')), {
      success: false,
      message: "x 'y' \\ \u0001",
    }));
});
