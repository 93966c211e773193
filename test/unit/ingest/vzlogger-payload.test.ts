import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isVzUuid,
  parseVzData,
  parseVzPush,
  vzError,
  vzRefusal,
  vzRows,
  type VzChannelTuples,
  type VzTuple,
} from '../../../src/ingest/vzlogger-payload.js';

const NOW_MS = 1700000000123;
const UUID_A = '6836dd20-00d5-11e0-bab1-856ed5f959ae';
const UUID_B = 'a6e1b2c0-1d4f-11e4-9f8c-2b7f3c1d5e6f';

describe('volkszaehler UUIDs', () => {
  const table: [string, string, boolean][] = [
    ['a lower-case UUID', UUID_A, true],
    ['an upper-case UUID', UUID_A.toUpperCase(), true],
    ['without dashes', UUID_A.replaceAll('-', ''), false],
    ['in braces', `{${UUID_A}}`, false],
    ['with a non-hex letter', UUID_A.replace('6', 'g'), false],
    ['one digit short', UUID_A.slice(1), false],
    ['a channel title', 'Stromzähler', false],
  ];
  for (const [name, uuid, valid] of table) it(name, () => assert.equal(isVzUuid(uuid), valid));
});

describe('push-server bodies that are read', () => {
  const table: [string, unknown, VzChannelTuples[]][] = [
    [
      'vzlogger PushData: 2-element [ms, value] tuples',
      {
        data: [
          {
            uuid: UUID_A,
            tuples: [
              [1700000000123, 42.5],
              [1700000001123, 43],
            ],
          },
        ],
      },
      [
        {
          uuid: UUID_A,
          tuples: [
            { tsMs: 1700000000123, value: 42.5 },
            { tsMs: 1700000001123, value: 43 },
          ],
        },
      ],
    ],
    [
      'a 3rd element (row count) is dropped',
      { data: [{ uuid: UUID_A, tuples: [[1700000000000, 1, 3]] }] },
      [{ uuid: UUID_A, tuples: [{ tsMs: 1700000000000, value: 1 }] }],
    ],
    [
      'several channels in one body',
      {
        data: [
          { uuid: UUID_A, tuples: [[1700000000000, 1]] },
          { uuid: UUID_B, tuples: [[1700000000500, -2.5]] },
        ],
      },
      [
        { uuid: UUID_A, tuples: [{ tsMs: 1700000000000, value: 1 }] },
        { uuid: UUID_B, tuples: [{ tsMs: 1700000000500, value: -2.5 }] },
      ],
    ],
    [
      'the UUID is passed on as sent',
      { data: [{ uuid: UUID_A.toUpperCase(), tuples: [[1700000000000, 1]] }] },
      [{ uuid: UUID_A.toUpperCase(), tuples: [{ tsMs: 1700000000000, value: 1 }] }],
    ],
    [
      'numeric strings are numbers',
      { data: [{ uuid: UUID_A, tuples: [['1700000000000', '7.25']] }] },
      [{ uuid: UUID_A, tuples: [{ tsMs: 1700000000000, value: 7.25 }] }],
    ],
    ['an empty data array (push-server answers 200 with no data)', { data: [] }, []],
  ];
  for (const [name, body, expected] of table)
    it(name, () => assert.deepEqual(parseVzPush(body), { ok: true, value: expected }));
});

describe('push-server bodies that are refused (push-server: HTTP 400, body 1)', () => {
  const tuple = [1700000000000, 1];
  const table: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /body must be \{"data"/],
    ['null', null, /body must be \{"data"/],
    ['no data key', { uuid: UUID_A, tuples: [tuple] }, /body must be \{"data"/],
    ['data not an array', { data: { uuid: UUID_A, tuples: [tuple] } }, /body must be \{"data"/],
    ['a channel without uuid', { data: [{ tuples: [tuple] }] }, /Invalid UUID: 'undefined'/],
    ['a malformed uuid', { data: [{ uuid: 'meter1', tuples: [tuple] }] }, /Invalid UUID: 'meter1'/],
    ['a channel that is not an object', { data: ['x'] }, /Invalid UUID/],
    ['no tuples', { data: [{ uuid: UUID_A }] }, /tuples must be a non-empty array/],
    ['empty tuples', { data: [{ uuid: UUID_A, tuples: [] }] }, /tuples must be a non-empty array/],
    [
      'a 1-element tuple',
      { data: [{ uuid: UUID_A, tuples: [[1700000000000]] }] },
      /is not \[timestamp_ms, value\(, count\)\]/,
    ],
    [
      'a 4-element tuple',
      { data: [{ uuid: UUID_A, tuples: [[1700000000000, 1, 1, 1]] }] },
      /is not \[timestamp_ms/,
    ],
    ['a tuple that is not an array', { data: [{ uuid: UUID_A, tuples: [5] }] }, /tuple '5' is not/],
    [
      'a text value',
      { data: [{ uuid: UUID_A, tuples: [[1700000000000, 'on']] }] },
      /value 'on' is not a number/,
    ],
    [
      'a null value',
      { data: [{ uuid: UUID_A, tuples: [[1700000000000, null]] }] },
      /value 'null' is not a number/,
    ],
    [
      'a text timestamp',
      { data: [{ uuid: UUID_A, tuples: [['now', 1]] }] },
      /timestamp 'now' is not a number/,
    ],
    [
      'a timestamp in seconds',
      { data: [{ uuid: UUID_A, tuples: [[1700000000, 1]] }] },
      /before 1990: timestamps are milliseconds/,
    ],
    [
      'a bad second channel refuses the whole body',
      {
        data: [
          { uuid: UUID_A, tuples: [tuple] },
          { uuid: UUID_B, tuples: [[1, 1]] },
        ],
      },
      new RegExp(`channel ${UUID_B}: timestamp 1 is before 1990`),
    ],
  ];
  for (const [name, body, expected] of table)
    it(name, () => {
      const r = parseVzPush(body);
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.match(!r.ok ? r.error : '', expected);
    });
});

describe('POST /data/<uuid>.json bodies that are read', () => {
  const table: [string, unknown, Record<string, unknown>, VzTuple[]][] = [
    [
      'vzlogger middleware upload: an array of [ms, value]',
      [
        [1700000000000, 230.1],
        [1700000005000, 231.4],
      ],
      {},
      [
        { tsMs: 1700000000000, value: 230.1 },
        { tsMs: 1700000005000, value: 231.4 },
      ],
    ],
    ['the raw JSON text is decoded', '[[1700000000000,1]]', {}, [{ tsMs: 1700000000000, value: 1 }]],
    ['an empty array inserts nothing', [], {}, []],
    [
      'no body: ts and value from the query',
      undefined,
      { ts: '1700000000000', value: '5.5' },
      [{ tsMs: 1700000000000, value: 5.5 }],
    ],
    [
      'an empty object (no JSON body) falls back to the query',
      {},
      { ts: '1700000000000', value: '2' },
      [{ tsMs: 1700000000000, value: 2 }],
    ],
    ['an empty text body falls back to the query', '  ', { value: '3' }, [{ tsMs: NOW_MS, value: 3 }]],
    ['text that is not JSON falls back to the query', 'ts=1', { value: '3' }, [{ tsMs: NOW_MS, value: 3 }]],
    ['no ts means now, no value means 1', undefined, {}, [{ tsMs: NOW_MS, value: 1 }]],
    [
      'ts as a date is read to the second',
      undefined,
      { ts: '2023-11-14T22:13:20.500Z' },
      [{ tsMs: 1700000000000, value: 1 }],
    ],
  ];
  for (const [name, body, query, expected] of table)
    it(name, () => assert.deepEqual(parseVzData(body, query, NOW_MS), { ok: true, value: expected }));
});

describe('POST /data/<uuid>.json bodies that are refused', () => {
  const table: [string, unknown, Record<string, unknown>, string | RegExp][] = [
    [
      'a push-server body sent to the middleware',
      { data: [{ uuid: UUID_A, tuples: [[1700000000000, 1]] }] },
      {},
      'Can only add data for a single channel at a time',
    ],
    ['an object that is not tuples', { ts: 1 }, {}, /body must be a JSON array/],
    ['a number', 5, {}, /body must be a JSON array/],
    [
      'a 3-element tuple (volkszaehler would shift every pair)',
      [[1700000000000, 1, 1]],
      {},
      /is not \[timestamp_ms, value\]$/,
    ],
    ['a 1-element tuple', [[1700000000000]], {}, /is not \[timestamp_ms, value\]/],
    ['a text value', [[1700000000000, 'x']], {}, /value 'x' is not a number/],
    ['a timestamp in seconds', [[1700000000, 1]], {}, /before 1990/],
    [
      'a ts that is neither ms nor a date',
      undefined,
      { ts: 'yesterday' },
      "Invalid time format: 'yesterday'",
    ],
    ['a negative ts', undefined, { ts: '-5' }, "Invalid time format: '-5'"],
    ['a ts given twice', undefined, { ts: ['1', '2'] }, `Invalid time format: '["1","2"]'`],
    ['a ts in seconds', undefined, { ts: '1700000000' }, /before 1990/],
    ['a value that is not a number', undefined, { value: 'on' }, "value 'on' is not a number"],
    ['a value NaN', undefined, { value: 'NaN' }, "value 'NaN' is not a number"],
  ];
  for (const [name, body, query, expected] of table)
    it(name, () => {
      const r = parseVzData(body, query, NOW_MS);
      assert.equal(r.ok, false, JSON.stringify(r));
      if (typeof expected === 'string') assert.equal(!r.ok && r.error, expected);
      else assert.match(!r.ok ? r.error : '', expected);
    });
});

describe('volkszaehler answers', () => {
  it('an exception body as lib/View/JSON.php renders it', () =>
    assert.equal(
      JSON.stringify(vzError(`No entity with UUID '${UUID_A}'`)),
      `{"version":"0.3","exception":{"message":"No entity with UUID '${UUID_A}'","type":"Exception","code":0}}`,
    ));
  it('an exception with its own type and code', () =>
    assert.deepEqual(vzError('boom', 'RuntimeException', 7), {
      version: '0.3',
      exception: { message: 'boom', type: 'RuntimeException', code: 7 },
    }));
  it('the rows answer of POST /data', () =>
    assert.equal(JSON.stringify(vzRows(3)), '{"version":"0.3","rows":3}'));
});

describe('how a refused upload is answered', () => {
  const table: [string, Parameters<typeof vzRefusal>[0], ReturnType<typeof vzRefusal>][] = [
    ['stored', { refused: 0 }, undefined],
    [
      'an unknown UUID: the sender must fix it (400)',
      { refused: 1, refusal: `No entity with UUID '${UUID_A}'`, unknownUuid: UUID_A },
      {
        status: 400,
        body: vzError(`No entity with UUID '${UUID_A}'`),
        reason: `No entity with UUID '${UUID_A}'`,
        bufferFull: false,
      },
    ],
    [
      'a full write-behind buffer: send it again later (503)',
      { refused: 2, refusal: 'the write-behind buffer is full', bufferFull: true },
      {
        status: 503,
        body: vzError('the write-behind buffer is full'),
        reason: 'the write-behind buffer is full',
        bufferFull: true,
      },
    ],
  ];
  for (const [name, outcome, answer] of table) it(name, () => assert.deepEqual(vzRefusal(outcome), answer));
});
