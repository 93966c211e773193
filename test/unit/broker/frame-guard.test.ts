import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameGuard } from '../../../src/broker/frame-guard.js';

const str = (bytes: number[] | string) => {
  const b = Buffer.from(bytes as never);
  return Buffer.from([b.length >> 8, b.length & 0xff, ...b]);
};
const publish = (topic: number[] | string) => {
  const body = Buffer.concat([str(topic), Buffer.from('payload')]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
};

describe('frame guard: strings and protocol level', () => {
  const cases: [name: string, topic: number[] | string, kind: string][] = [
    ['an ASCII topic', 'a/b', 'ok'],
    ['a genuine U+FFFD', 'a/\uFFFD', 'ok'],
    ['U+0000', [0x61, 0x00], 'bad-string'],
    ['a lone 0xFF byte', [0x61, 0xff], 'bad-string'],
    ['a UTF-16 surrogate (U+D800)', [0xed, 0xa0, 0x80], 'bad-string'],
    ['an overlong encoding', [0xc0, 0xaf], 'bad-string'],
  ];
  for (const [name, topic, kind] of cases) {
    it(`PUBLISH with ${name}: ${kind}`, () =>
      assert.equal(new FrameGuard(1000).push(publish(topic)).kind, kind));
  }

  it('finds a bad topic split across chunks, byte by byte', () => {
    const guard = new FrameGuard(1000);
    const bytes = publish([0x61, 0x2f, 0xff]);
    const verdicts = [...bytes].map((b) => guard.push(Buffer.from([b])).kind);
    assert.deepEqual(
      verdicts.filter((k) => k !== 'ok'),
      ['bad-string'],
    );
  });

  it('checks every filter of a SUBSCRIBE', () => {
    const body = Buffer.concat([
      Buffer.from([0, 1]),
      str('ok/#'),
      Buffer.from([0]),
      str([0x62, 0x00]),
      Buffer.from([1]),
    ]);
    assert.equal(
      new FrameGuard(1000).push(Buffer.concat([Buffer.from([0x82, body.length]), body])).kind,
      'bad-string',
    );
  });

  it('reports a CONNECT of an unknown protocol level, and passes 3.1, 3.1.1 and 5', () => {
    for (const [level, kind] of [
      [9, 'bad-protocol-level'],
      [3, 'ok'],
      [4, 'ok'],
      [5, 'ok'],
    ] as const) {
      const body = Buffer.concat([str('MQTT'), Buffer.from([level, 0x02, 0, 30]), str('id')]);
      const verdict = new FrameGuard(1000).push(Buffer.concat([Buffer.from([0x10, body.length]), body]));
      assert.equal(verdict.kind, kind, `level ${level}`);
    }
  });

  it('checks the client id, will topic and username of a CONNECT, not the will message or password', () => {
    const bad = [0x61, 0x00];
    const connect = (flags: number, ...fields: (number[] | string)[]) => {
      const body = Buffer.concat([str('MQTT'), Buffer.from([4, flags, 0, 30]), ...fields.map(str)]);
      return new FrameGuard(1000).push(Buffer.concat([Buffer.from([0x10, body.length]), body])).kind;
    };
    const WILL = 0x04;
    const USER = 0x80;
    const PASS = 0x40;
    assert.equal(connect(0x02, bad), 'bad-string', 'client id');
    assert.equal(connect(0x02 | WILL, 'id', bad, 'gone'), 'bad-string', 'will topic');
    assert.equal(connect(0x02 | USER | PASS, 'id', bad, 'secret'), 'bad-string', 'username');
    // Will messages and passwords are binary data, never checked as strings.
    assert.equal(connect(0x02 | WILL | USER | PASS, 'id', 'a/will', [0xff, 0x00], 'ann', [0xff]), 'ok');
  });
});
