import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filtersOverlap, findConflict, type GrantHolder } from '../../../src/devices/device-grants.js';
import { topicNameProblem, topicsFor, type DeviceKind } from '../../../src/devices/device-topics.js';

let nextId = 1;
const holder = (kind: DeviceKind, name: string): GrantHolder => ({
  id: nextId++,
  kind,
  mqttUsername: `dev-${kind}-${name}`,
  ...topicsFor(kind, name),
});

describe('device topic names', () => {
  const refused: [string, RegExp][] = [
    ['hub', /reserved \(the hub's own topics\)/],
    ['HUB', /reserved/],
    ['emon', /reserved/],
    ['emonhub', /reserved/],
    ['cmnd', /reserved \(Tasmota commands\)/],
    ['stat', /reserved/],
    ['tele', /reserved/],
    ['tasmota', /reserved/],
    ['tasmotas', /reserved/],
    ['shellies', /reserved/],
    ['openevse', /reserved/],
    ['homeassistant', /reserved/],
    ['emonesp', /reserved/],
    ['$SYS', /letters, digits/],
    ['+', /letters, digits/],
    ['#', /letters, digits/],
    ['', /letters, digits/],
    ['a/b', /letters, digits/],
  ];
  for (const [name, why] of refused) {
    it(`refuses "${name}"`, () => assert.match(topicNameProblem(name) ?? 'accepted', why));
  }
  for (const name of ['plug1', 'openevse-a1b2', 'shellyplusplugs-80646fc9a0b8', 'emonpi']) {
    it(`accepts "${name}"`, () => assert.equal(topicNameProblem(name), undefined));
  }
});

describe('filters that overlap', () => {
  const table: [string, string, boolean][] = [
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['+/x', 'a/+', true],
    ['a/b', 'a/c', false],
    ['a', 'a/b', false],
    ['#', '$SYS/x', false],
    ['emon/#', 'emon/sp1/in/#', true],
    ['tele/plug1/#', 'tele/plug2/#', false],
  ];
  for (const [a, b, overlap] of table) {
    it(`${a} and ${b}: ${overlap ? 'overlap' : 'apart'}`, () => {
      assert.equal(filtersOverlap(a, b), overlap);
      assert.equal(filtersOverlap(b, a), overlap);
    });
  }
});

describe('devices whose grants overlap', () => {
  const fleet = [
    holder('emonhub', 'emonpi'),
    holder('tasmota', 'plug1'),
    holder('emonesp', 'sp1'),
    holder('openevse', 'openevse-a1b2'),
    holder('shelly', 'sh1'),
  ];
  const table: [string, GrantHolder, string | undefined][] = [
    ['a second gateway (both want emon/#)', holder('emonhub', 'emonbase'), 'dev-emonhub-emonpi'],
    ['an EmonESP node inside the gateway (carved out of it)', holder('emonesp', 'sp2'), undefined],
    ['an EmonESP with the same node as another', holder('emonesp', 'sp1'), 'dev-emonesp-sp1'],
    [
      'a Shelly whose id is an OpenEVSE base',
      holder('shelly', 'openevse-a1b2'),
      'dev-openevse-openevse-a1b2',
    ],
    ['an OpenEVSE announcing as another (same id)', holder('openevse', 'a1b2'), 'dev-openevse-openevse-a1b2'],
    ['an OpenEVSE whose base is a Shelly id', holder('openevse', 'sh1'), 'dev-shelly-sh1'],
    ['a hub device', holder('hub', 'h1'), undefined],
    ['another Tasmota', holder('tasmota', 'plug2'), undefined],
    ['a Shelly named like a Tasmota topic', holder('shelly', 'plug1'), undefined],
  ];
  for (const [name, candidate, clash] of table) {
    it(`${name}: ${clash ? `clashes with ${clash}` : 'fits'}`, () => {
      assert.equal(findConflict(candidate, fleet)?.other.mqttUsername, clash);
    });
  }
  it('a gateway added after an EmonESP fits too (the carve-out works both ways)', () => {
    assert.equal(findConflict(holder('emonhub', 'emonbase'), [holder('emonesp', 'sp9')]), undefined);
  });
});
