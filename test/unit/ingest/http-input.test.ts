import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import {
  emoncmsFailure,
  emoncmsReply,
  emoncmsSuccess,
  parseInputBulk,
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
const bulk = (params: Record<string, unknown>, body?: Buffer, maxInflatedBytes?: number) =>
  parseInputBulk(
    params,
    body,
    NOW_S,
    maxInflatedBytes ? { maxFutureS: MAX_FUTURE_S, maxInflatedBytes } : { maxFutureS: MAX_FUTURE_S },
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

describe('input/bulk time references', () => {
  const data = '[[0,16,1137],[2,17,1437,3164],[4,19,1412,3077]]';
  const offsets = '[[-10,16,1137],[-8,17,1437,3164],[-6,19,1412,3077]]';
  const sent = '[[520,16,1137],[530,17,1437,3164],[535,19,1412,3077]]';
  const rowsAt = (t: [number, number, number]): NodeReadings[] => [
    readings('16', [['1', 1137]], t[0]),
    readings(
      '17',
      [
        ['1', 1437],
        ['2', 3164],
      ],
      t[1],
    ),
    readings(
      '19',
      [
        ['1', 1412],
        ['2', 3077],
      ],
      t[2],
    ),
  ];
  const table: [string, Record<string, unknown>, [number, number, number]][] = [
    // legacy: the last row is "now", so 4 → now, 2 → now-2, 0 → now-4
    ['legacy: the last row arrived now', { data }, [NOW_S - 4, NOW_S - 2, NOW_S]],
    // offset: reference = now - offset = now + 10 (the emoncms comment says -16 s; the code adds)
    ['offset=-10: reference now + 10', { data: offsets, offset: '-10' }, [NOW_S, NOW_S + 2, NOW_S + 4]],
    [
      'time=1387730127: reference is that time',
      { data: offsets, time: '1387730127' },
      [1387730117, 1387730119, 1387730121],
    ],
    // sentat: reference = now - 543, so 520 → now-23
    ['sentat=543: reference now - 543', { data: sent, sentat: '543' }, [NOW_S - 23, NOW_S - 13, NOW_S - 8]],
    [
      'sentat wins over offset and time',
      { data: sent, sentat: '543', offset: '0', time: '5' },
      [NOW_S - 23, NOW_S - 13, NOW_S - 8],
    ],
    ['offset wins over time', { data: offsets, offset: '-10', time: '5' }, [NOW_S, NOW_S + 2, NOW_S + 4]],
  ];
  for (const [name, params, times] of table)
    it(name, () =>
      assert.deepEqual(bulk(params), { ok: true, value: { rows: rowsAt(times), fulljson: false } }),
    );

  it('emonhub: absolute row times with sentat = its clock, 7 s behind ours', () => {
    const hubNow = NOW_S - 7;
    const r = bulk({
      sentat: String(hubNow),
      data: `[[${hubNow - 30},"emontx4",120,-5.5],[${hubNow},"emonpi",1]]`,
    });
    assert.deepEqual(r, {
      ok: true,
      value: {
        rows: [
          readings(
            'emontx4',
            [
              ['1', 120],
              ['2', -5.5],
            ],
            NOW_S - 30,
          ),
          readings('emonpi', [['1', 1]], NOW_S),
        ],
        fulljson: false,
      },
    });
  });
  it('fulljson is reported for the {"success": true} reply', () => {
    const r = bulk({ data: '[[0,1,2]]', fulljson: '' });
    assert.deepEqual(r, { ok: true, value: { rows: [readings('1', [['1', 2]])], fulljson: true } });
  });
});

describe('input/bulk rows', () => {
  const table: [string, string, NodeReadings[]][] = [
    [
      'emonhub sendnames: {name: value} objects',
      '[[0,"emontx4",{"P1":100,"E1":"2500"}]]',
      [
        readings('emontx4', [
          ['P1', 100],
          ['E1', 2500],
        ]),
      ],
    ],
    [
      'an object does not use a number of the 1, 2, … sequence',
      '[[0,5,7,{"x":1},8]]',
      [
        readings('5', [
          ['1', 7],
          ['x', 1],
          ['2', 8],
        ]),
      ],
    ],
    [
      'null stays null (emoncms stores 0)',
      '[[0,5,null,3]]',
      [
        readings('5', [
          ['1', null],
          ['2', 3],
        ]),
      ],
    ],
    ['a null node is node 0', '[[0,null,1]]', [readings('0', [['1', 1]])]],
    ['numeric text time and node', '[["0","7","1.5"]]', [readings('7', [['1', 1.5]])]],
    [
      'a fractional time offset is cut',
      '[[-1.9,1,1],[0,1,2]]',
      [readings('1', [['1', 1]], NOW_S - 1), readings('1', [['1', 2]])],
    ],
    [
      'a row whose only value is an empty object is left out',
      '[[0,1,{}],[0,2,3]]',
      [readings('2', [['1', 3]])],
    ],
    ['node names are cleaned', '[[0,"heat(pump)",1]]', [readings('heatpump', [['1', 1]])]],
  ];
  for (const [name, data, rows] of table)
    it(name, () => assert.deepEqual(bulk({ data }), { ok: true, value: { rows, fulljson: false } }));
});

describe('input/bulk compression', () => {
  const json = '[[-5,"emontx",{"P1":100}],[0,"emontx",{"P1":110}]]';
  const expected = {
    ok: true,
    value: {
      rows: [readings('emontx', [['P1', 100]], NOW_S - 5), readings('emontx', [['P1', 110]])],
      fulljson: false,
    },
  };
  it('cb=1: the raw body is zlib data', () =>
    assert.deepEqual(bulk({ cb: '1' }, deflateSync(json)), expected));
  it('cb wins over c and data', () =>
    assert.deepEqual(bulk({ cb: '', c: '1', data: 'zz' }, deflateSync(json)), expected));
  it('c=1: data is hex of zlib data', () =>
    assert.deepEqual(bulk({ c: '1', data: deflateSync(json).toString('hex') }), expected));
  it('c=1: upper-case hex is read too', () =>
    assert.deepEqual(bulk({ c: '1', data: deflateSync(json).toString('hex').toUpperCase() }), expected));

  const refusals: [string, Record<string, unknown>, Buffer | undefined, string][] = [
    ['cb=1 without a body', { cb: '1' }, undefined, 'Format error, compressed data is not valid zlib data'],
    [
      'cb=1 with plain JSON',
      { cb: '1' },
      Buffer.from(json),
      'Format error, compressed data is not valid zlib data',
    ],
    [
      'cb=1 with gzip instead of zlib',
      { cb: '1' },
      gzipSync(json),
      'Format error, compressed data is not valid zlib data',
    ],
    [
      'cb=1 with truncated zlib',
      { cb: '1' },
      deflateSync(json).subarray(0, 10),
      'Format error, compressed data is not valid zlib data',
    ],
    ['c=1 with odd-length hex', { c: '1', data: 'abc' }, undefined, 'Format error, compressed hex not valid'],
    ['c=1 with non-hex text', { c: '1', data: 'zz' }, undefined, 'Format error, compressed hex not valid'],
    ['c=1 without data', { c: '1' }, undefined, 'Format error, compressed hex not valid'],
    [
      'c=1 with hex of plain text',
      { c: '1', data: Buffer.from(json).toString('hex') },
      undefined,
      'Format error, compressed data is not valid zlib data',
    ],
    [
      'compressed data that is not JSON',
      { cb: '1' },
      deflateSync('nope'),
      'Format error, json string supplied is not valid',
    ],
  ];
  for (const [name, params, body, message] of refusals)
    it(`refused: ${name}`, () => assert.deepEqual(bulk(params, body), { ok: false, error: message }));

  it('refused: data that inflates beyond the cap (zlib bomb)', () =>
    assert.deepEqual(bulk({ cb: '1' }, deflateSync(Buffer.alloc(10_000, 32)), 1000), {
      ok: false,
      error: 'Format error, compressed data inflates to more than 1000 bytes',
    }));
});

describe('input/bulk that is refused', () => {
  const table: [string, Record<string, unknown>, string | RegExp][] = [
    ['no data', {}, 'Format error, json string supplied is not valid'],
    ['data that is not JSON', { data: '[[0,1,2]' }, 'Format error, json string supplied is not valid'],
    ['an empty array', { data: '[]' }, 'Format error, json string supplied is not valid'],
    ['an object', { data: '{"a":1}' }, 'Format error, json string supplied is not valid'],
    [
      'data given twice',
      { data: ['[[0,1,2]]', '[[0,1,2]]'] },
      'Format error, json string supplied is not valid',
    ],
    [
      'an empty last row',
      { data: '[[0,1,2],[]]' },
      'Format error, last item in bulk data does not contain any data',
    ],
    [
      'a last row that is not an array',
      { data: '[[0,1,2],5]' },
      'Format error, last item in bulk data does not contain any data',
    ],
    [
      'a last row starting with null',
      { data: '[[null,1,2]]' },
      'Format error, last item in bulk data does not contain any data',
    ],
    ['a row with 2 elements', { data: '[[0,1],[0,1,2]]' }, 'Format error, bulk item needs at least 3 values'],
    ['a row that is not an array', { data: '["x",[0,1,2]]' }, "Format error, bulk item 'x' is not an array"],
    ['a node object', { data: '[[0,{"n":1},2]]' }, 'Format error, node must not be an object'],
    ['a node array', { data: '[[0,[1],2]]' }, 'Format error, node must not be an object'],
    ['a boolean node', { data: '[[0,true,2]]' }, "Format error, node 'true' is not a name or number"],
    ['a node of stripped characters only', { data: '[[0,"()",2]]' }, /node '\(\)' is empty once cleaned/],
    ['a text value', { data: '[[0,1,"abc"]]' }, "Format error, bulk value 'abc' of 1/1 is not numeric"],
    ['an empty text value', { data: '[[0,1,""]]' }, "Format error, bulk value '' of 1/1 is not numeric"],
    ['a boolean value', { data: '[[0,1,true]]' }, "Format error, bulk value 'true' of 1/1 is not numeric"],
    ['an array value', { data: '[[0,1,[2]]]' }, "Format error, bulk value '[2]' of 1/1 is not numeric"],
    ['an overflowing number', { data: '[[0,1,1e999]]' }, /bulk value .* of 1\/1 is not numeric/],
    [
      'NaN text in a named value',
      { data: '[[0,1,{"p":"NaN"}]]' },
      "Format error, bulk value 'NaN' of 1/p is not numeric",
    ],
    [
      'a named value that is an object',
      { data: '[[0,1,{"p":{"q":1}}]]' },
      /bulk value '\{"q":1\}' of 1\/p is not numeric/,
    ],
    ['a name that cleans to nothing', { data: '[[0,1,{"()":1}]]' }, /input name '\(\)' is empty/],
    [
      'a time offset that is text',
      { data: '[["x",1,2],[0,1,2]]' },
      "Format error, bulk item time 'x' is not numeric",
    ],
    [
      'a legacy last time that is text',
      { data: '[["x",1,2]]' },
      "Format error, bulk item time 'x' is not numeric",
    ],
    [
      'a sentat that is text',
      { data: '[[0,1,2]]', sentat: 'now' },
      "Format error, sentat 'now' is not numeric",
    ],
    ['an offset that is empty', { data: '[[0,1,2]]', offset: '' }, "Format error, offset '' is not numeric"],
    [
      'a time reference that is a date',
      { data: '[[0,1,2]]', time: '2023-11-14' },
      "Format error, time '2023-11-14' is not numeric",
    ],
    [
      'one row too far ahead refuses the whole request',
      { data: `[[${NOW_S},1,2],[${NOW_S + 301},1,3]]`, time: '0' },
      'Format error, time 1700000301 is more than 300 s in the future',
    ],
    ['a row time before 1970', { data: '[[-10,1,2]]', time: '5' }, /time -5 is before 1970/],
  ];
  for (const [name, params, expected] of table)
    it(name, () => {
      const r = bulk(params);
      assert.equal(r.ok, false, JSON.stringify(r));
      if (typeof expected === 'string') assert.equal(!r.ok && r.error, expected);
      else assert.match(!r.ok ? r.error : '', expected);
    });
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
      'reply of a parsed fulljson bulk',
      emoncmsReply(bulk({ data: '[[0,1,2]]', fulljson: '1' })),
      '{"success": true}',
    ],
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
