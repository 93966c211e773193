import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatewayProfile } from '../../../src/signals/gateway-profile.js';
import { parseGatewaySignalTopic } from '../../../src/signals/signal-topics.js';

const NOW = Date.parse('2026-11-27T18:00:00Z') / 1000;
const MIDNIGHT = Date.parse('2026-11-28T00:00:00Z') / 1000;
const day = (n = 48) => Array.from({ length: n }, (_, i) => 10 + (i % 7));
const profile = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ start: MIDNIGHT, interval: 1800, unit: 'p/kWh', values: day(), ...over });

describe('meter gateway day-ahead profile', () => {
  it('takes a 24 h price profile, optimise min by default, source the gateway', () => {
    const parsed = parseGatewayProfile('price', 'meter1', profile(), NOW);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, {
      startS: MIDNIGHT,
      intervalS: 1800,
      values: day(),
      unit: 'p/kWh',
      optimise: 'min',
      source: 'gateway:meter1',
      receivedAtS: NOW,
    });
  });

  it('takes hydro as optimise max, and an explicit optimise over the default', () => {
    const hydro = parseGatewayProfile('hydro', 'g', profile({ unit: 'kW' }), NOW);
    assert.ok(hydro.ok);
    assert.equal(hydro.value.optimise, 'max');
    const community = parseGatewayProfile('community', 'g', profile({ optimise: 'max' }), NOW);
    assert.ok(community.ok);
    assert.equal(community.value.optimise, 'max');
  });

  it('takes 48 h of 15-minute slots', () => {
    assert.equal(
      parseGatewayProfile('carbon', 'g', profile({ interval: 900, values: day(192) }), NOW).ok,
      true,
    );
  });

  const bad: [string, string, string | Buffer, RegExp][] = [
    ['an unknown signal', 'wind', profile(), /unknown signal "wind"/],
    ['not JSON', 'price', '{"start":', /not JSON/],
    ['a JSON array', 'price', '[1,2]', /not a JSON object/],
    ['an unknown field', 'price', profile({ currency: 'GBP' }), /unknown field "currency"/],
    [
      'an interval that does not divide an hour',
      'price',
      profile({ interval: 1700 }),
      /interval must be one of/,
    ],
    ['a start off the slot grid', 'price', profile({ start: MIDNIGHT + 60 }), /multiple of the interval/],
    [
      'a start in milliseconds as a string',
      'price',
      profile({ start: String(MIDNIGHT * 1000) }),
      /start must be/,
    ],
    ['less than 24 h', 'price', profile({ values: day(47) }), /24 to 48 h \(47 × 1800 s is 23.5 h\)/],
    ['more than 48 h', 'price', profile({ values: day(97) }), /24 to 48 h/],
    ['a null value', 'price', profile({ values: [...day(47), null] }), /values\[47\] is not a finite number/],
    ['a string value', 'price', profile({ values: ['1', ...day(47)] }), /values\[0\]/],
    ['no unit', 'price', profile({ unit: '' }), /unit must be/],
    ['a bad optimise', 'price', profile({ optimise: 'lowest' }), /optimise must be/],
    ['a profile that has ended', 'price', profile({ start: MIDNIGHT - 2 * 86400 }), /ends before now/],
    ['a profile three days ahead', 'price', profile({ start: MIDNIGHT + 3 * 86400 }), /more than 48 h ahead/],
    ['an oversized payload', 'price', Buffer.alloc(70_000, 32), /payload over 65536 bytes/],
  ];
  for (const [name, signal, payload, problem] of bad)
    it(`refuses ${name}`, () => {
      const parsed = parseGatewayProfile(signal, 'g', payload, NOW);
      assert.equal(parsed.ok, false);
      assert.match((parsed as { problem: string }).problem, problem);
    });

  it('parses only gateway/<n>/signals/<name>', () => {
    assert.deepEqual(parseGatewaySignalTopic('gateway/m1/signals/price'), { gateway: 'm1', name: 'price' });
    for (const topic of [
      'gateway/m1/signals',
      'gateway/m1/other/price',
      'hub/m1/signals/price',
      'gateway//signals/price',
      'gateway/m1/signals/price/x',
    ])
      assert.equal(parseGatewaySignalTopic(topic), undefined, topic);
  });
});
