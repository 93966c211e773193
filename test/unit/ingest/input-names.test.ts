import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkName,
  checkNode,
  cleanInputName,
  jsonDepth,
  lastValueWins,
  numericValue,
  parseEmonTime,
  parseIsoSeconds,
  stripInputName,
  timeProblem,
} from '../../../src/ingest/input-names.js';

describe('emoncms input name cleaning', () => {
  const stripTable: [string, string, string][] = [
    ['keeps letters, digits, _ - . and spaces', 'power_1-a.b c', 'power_1-a.b c'],
    ['drops brackets (emoncms example power(W) → powerW)', 'power(W)', 'powerW'],
    ['keeps non-Latin letters and digits', 'Wärme€°Ω٣', 'WärmeΩ٣'],
    ['drops slashes, colons, quotes and braces', '{"a/b:c"}', 'abc'],
    ['drops everything when nothing is allowed', '()$%', ''],
  ];
  for (const [name, raw, expected] of stripTable)
    it(`strip: ${name}`, () => assert.equal(stripInputName(raw), expected));

  const cleanTable: [string, string, string | undefined][] = [
    ['a plain name is kept', 'power1', 'power1'],
    ['outer spaces are trimmed (emoncms keeps them)', '  b ', 'b'],
    ['inner spaces are kept', 'grid import', 'grid import'],
    ['empty after cleaning is undefined', '()', undefined],
    ['the empty string is undefined', '', undefined],
    ['64 characters are allowed', 'x'.repeat(64), 'x'.repeat(64)],
    ['65 characters are too long', 'x'.repeat(65), undefined],
    ['length counts characters, not UTF-16 units', '𝟘'.repeat(64), '𝟘'.repeat(64)],
  ];
  for (const [name, raw, expected] of cleanTable)
    it(`clean: ${name}`, () => assert.equal(cleanInputName(raw), expected));

  it('checkNode refuses a node that cleans to nothing, saying why', () => {
    const r = checkNode('()');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /^Format error, node '\(\)' is empty once cleaned/);
  });
  it('checkName refuses a name over 64 characters', () => {
    const r = checkName('n'.repeat(70));
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /input name .* is longer than 64 characters/);
  });
  it('checkName returns the cleaned name', () =>
    assert.deepEqual(checkName('power(W)'), { ok: true, value: 'powerW' }));
});

describe('emoncms numeric values (PHP is_numeric)', () => {
  const table: [string, unknown, number | undefined][] = [
    ['an integer string', '100', 100],
    ['a negative decimal', '-2.5', -2.5],
    ['a leading plus', '+7', 7],
    ['an exponent', '1.5e3', 1500],
    ['a leading dot', '.5', 0.5],
    ['a trailing dot', '5.', 5],
    ['surrounding whitespace and a newline', ' 12\n', 12],
    ['a JSON number', 42, 42],
    ['text', 'twelve', undefined],
    ['hex is not numeric in PHP 8', '0x1A', undefined],
    ['NaN text', 'NaN', undefined],
    ['Infinity text', 'Infinity', undefined],
    ['an overflowing exponent', '1e999', undefined],
    ['an infinite number', Infinity, undefined],
    ['NaN', NaN, undefined],
    ['the empty string', '', undefined],
    ['a lone dot', '.', undefined],
    ['a boolean', true, undefined],
    ['null', null, undefined],
    ['digit separators', '1_000', undefined],
  ];
  for (const [name, raw, expected] of table) it(name, () => assert.equal(numericValue(raw), expected));
});

describe('emoncms times', () => {
  const table: [string, unknown, number | undefined][] = [
    ['unix seconds', 1700000000, 1700000000],
    ['a numeric string', '1700000000', 1700000000],
    ['a fraction is cut as PHP (int) does', 1700000000.9, 1700000000],
    ['a negative fraction is cut toward zero', '-5.5', -5],
    ['an ISO date-time in UTC (OpenEVSE)', '2024-05-01T12:00:00Z', 1714564800],
    ['an ISO date-time with an offset', '2024-05-01T14:00:00+02:00', 1714564800],
    ['an offset without colon', '2024-05-01T13:00:00+0100', 1714564800],
    ['a space instead of T, no zone, is UTC', '2024-05-01 12:00:00', 1714564800],
    ['a fraction of a second is dropped', '2023-11-14T22:13:20.987Z', 1700000000],
    ['a date alone is midnight UTC', '2024-02-29', 1709164800],
    ['a date that does not exist', '2023-02-29', undefined],
    ['an hour out of range', '2024-05-01T24:00:00Z', undefined],
    ['free text (strtotime would read it)', 'now', undefined],
    ['an empty string', '', undefined],
    ['a boolean', false, undefined],
    ['an object', {}, undefined],
  ];
  for (const [name, raw, expected] of table) it(name, () => assert.equal(parseEmonTime(raw), expected));

  it('parseIsoSeconds refuses a number', () => assert.equal(parseIsoSeconds('1700000000'), undefined));

  const problems: [string, number, number | undefined, RegExp | undefined][] = [
    ['now is fine', 1000, 300, undefined],
    ['exactly the allowance ahead is fine', 1300, 300, undefined],
    ['one second over the allowance', 1301, 300, /time 1301 is more than 300 s in the future/],
    ['no allowance given: the future is not checked', 10_000_000, undefined, undefined],
    ['before 1970', -1, 300, /before 1970/],
  ];
  for (const [name, timeS, maxFutureS, expected] of problems)
    it(`timeProblem: ${name}`, () => {
      const why = timeProblem(timeS, 1000, maxFutureS);
      if (expected) assert.match(why ?? '', expected);
      else assert.equal(why, undefined);
    });
});

describe('helpers', () => {
  it('a repeated name keeps its first position and its last value', () =>
    assert.deepEqual(
      lastValueWins([
        { name: 'a', value: 1 },
        { name: 'b', value: 2 },
        { name: 'a', value: 3 },
      ]),
      [
        { name: 'a', value: 3 },
        { name: 'b', value: 2 },
      ],
    ));
  const depths: [string, unknown, number][] = [
    ['a scalar', 5, 0],
    ['a flat object', { a: 1 }, 1],
    ['an unboxed value object', { k: { name: 'ct1', value: 1 } }, 2],
    ['an array in an object in an array', [{ a: [1] }], 3],
  ];
  for (const [name, v, depth] of depths) it(`JSON depth of ${name}`, () => assert.equal(jsonDepth(v), depth));
});
