import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import { parseInputBulk } from '../../../src/ingest/bulk-input.js';
import { emoncmsReply } from '../../../src/ingest/http-input.js';
import type { NodeReadings, Parsed } from '../../../src/ingest/readings.js';

const NOW_S = 1700000000;
const MAX_FUTURE_S = 300;
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
const good = (rows: NodeReadings[]): Parsed<NodeReadings>[] => rows.map((value) => ({ ok: true, value }));

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
      assert.deepEqual(bulk(params), { ok: true, value: { frames: good(rowsAt(times)), fulljson: false } }),
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
        frames: good([
          readings(
            'emontx4',
            [
              ['1', 120],
              ['2', -5.5],
            ],
            NOW_S - 30,
          ),
          readings('emonpi', [['1', 1]], NOW_S),
        ]),
        fulljson: false,
      },
    });
  });
  it('fulljson is reported for the {"success": true} reply', () => {
    const r = bulk({ data: '[[0,1,2]]', fulljson: '' });
    assert.deepEqual(r, { ok: true, value: { frames: good([readings('1', [['1', 2]])]), fulljson: true } });
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
    it(name, () =>
      assert.deepEqual(bulk({ data }), { ok: true, value: { frames: good(rows), fulljson: false } }),
    );
});

describe('input/bulk compression', () => {
  const json = '[[-5,"emontx",{"P1":100}],[0,"emontx",{"P1":110}]]';
  const expected = {
    ok: true,
    value: {
      frames: good([readings('emontx', [['P1', 100]], NOW_S - 5), readings('emontx', [['P1', 110]])]),
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

describe('input/bulk bodies refused whole (nothing readable)', () => {
  const table: [string, Record<string, unknown>, string][] = [
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
    [
      'a legacy last time that is text (no time reference)',
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
  ];
  for (const [name, params, expected] of table)
    it(name, () => assert.deepEqual(bulk(params), { ok: false, error: expected }));
});

describe('input/bulk frames dropped one by one, the rest kept', () => {
  // Each bad frame sits between two good ones: emonhub re-sends a refused body for ever.
  const GOOD = `[${NOW_S},1,5]`;
  const table: [string, string, string | RegExp, Record<string, unknown>?][] = [
    ['a frame with 2 elements', '[0,1]', 'Format error, bulk item needs at least 3 values'],
    ['a frame that is not an array', '"x"', "Format error, bulk item 'x' is not an array"],
    ['a node object', '[0,{"n":1},2]', 'Format error, node must not be an object'],
    ['a node array', '[0,[1],2]', 'Format error, node must not be an object'],
    ['a boolean node', '[0,true,2]', "Format error, node 'true' is not a name or number"],
    ['a node of stripped characters only', '[0,"()",2]', /node '\(\)' is empty once cleaned/],
    ['a text value', '[0,1,"abc"]', "Format error, bulk value 'abc' of 1/1 is not numeric"],
    ['an empty text value', '[0,1,""]', "Format error, bulk value '' of 1/1 is not numeric"],
    ['a boolean value', '[0,1,true]', "Format error, bulk value 'true' of 1/1 is not numeric"],
    ['an array value', '[0,1,[2]]', "Format error, bulk value '[2]' of 1/1 is not numeric"],
    ['an overflowing number', '[0,1,1e999]', /bulk value .* of 1\/1 is not numeric/],
    [
      'NaN text in a named value',
      '[0,1,{"p":"NaN"}]',
      "Format error, bulk value 'NaN' of 1/p is not numeric",
    ],
    [
      'a named value that is an object',
      '[0,1,{"p":{"q":1}}]',
      /bulk value '\{"q":1\}' of 1\/p is not numeric/,
    ],
    ['a name that cleans to nothing', '[0,1,{"()":1}]', /input name '\(\)' is empty/],
    ['a time offset that is text', '["x",1,2]', "Format error, bulk item time 'x' is not numeric"],
    [
      'a frame more than maxFutureS ahead',
      `[${NOW_S + 301},1,3]`,
      'Format error, time 1700000301 is more than 300 s in the future',
    ],
    ['a frame time before 1970', '[-10,1,2]', /time -10 is before 1970/],
  ];
  for (const [name, bad, expected] of table)
    it(name, () => {
      const r = bulk({ data: `[${GOOD},${bad},${GOOD}]`, time: '0' });
      assert.ok(r.ok, JSON.stringify(r));
      const [first, dropped, last] = r.value.frames;
      assert.equal(r.value.frames.length, 3);
      assert.deepEqual(first, { ok: true, value: readings('1', [['1', 5]]) });
      assert.deepEqual(last, first);
      assert.equal(dropped!.ok, false, JSON.stringify(dropped));
      if (typeof expected === 'string') assert.equal(!dropped!.ok && dropped!.error, expected);
      else assert.match(!dropped!.ok ? dropped!.error : '', expected);
    });

  it('a frame exactly maxFutureS ahead is kept', () => {
    const r = bulk({ data: `[[${NOW_S + 300},1,3]]`, time: '0' });
    assert.deepEqual(r, {
      ok: true,
      value: { frames: good([readings('1', [['1', 3]], NOW_S + 300)]), fulljson: false },
    });
  });
  it('a body whose every frame is bad is still readable (nothing to store, nothing to re-send)', () => {
    const r = bulk({ data: `[[${NOW_S + 86_401},1,3]]`, time: '0' });
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.frames.map((f) => f.ok),
      [false],
    );
  });
  it('reply of a parsed fulljson bulk is {"success": true}', () =>
    assert.equal(emoncmsReply(bulk({ data: '[[0,1,2]]', fulljson: '1' })), '{"success": true}'));
});
