import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BLOCK_BYTES,
  encodeTarHeader,
  endOfArchive,
  paddingBytes,
  parseTarHeader,
} from '../../../src/backup/tar-format.js';

describe('tar headers', () => {
  it('reads back what it writes, for a file and a folder', () => {
    const file = {
      path: 'feeds/12.r86400',
      type: 'file',
      bytes: 123_456,
      mode: 0o600,
      mtimeS: 1_795_000_000,
    } as const;
    assert.deepEqual(parseTarHeader(encodeTarHeader(file)), file);
    const dir = { path: 'tls', type: 'directory', bytes: 0, mode: 0o700, mtimeS: 0 } as const;
    assert.deepEqual(parseTarHeader(encodeTarHeader(dir)), dir);
  });

  it('writes the checksum GNU tar expects (6 octal digits, NUL, space)', () => {
    const block = encodeTarHeader({ path: 'hub.db', type: 'file', bytes: 1, mode: 0o600, mtimeS: 0 });
    assert.equal(block.length, BLOCK_BYTES);
    assert.match(block.toString('ascii', 148, 156), /^[0-7]{6}\0 $/);
    assert.equal(block.toString('ascii', 257, 263), 'ustar\0');
  });

  it('refuses a header with one byte changed, a link entry, and a file that is not tar', () => {
    const block = encodeTarHeader({ path: 'hub.json', type: 'file', bytes: 10, mode: 0o600, mtimeS: 0 });
    const changed = Buffer.from(block);
    changed[3]! ^= 1;
    assert.throws(() => parseTarHeader(changed), /fails its checksum/);
    const link = Buffer.from(block);
    link.write('2', 156, 'ascii');
    link.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of link) sum += byte;
    link.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    assert.throws(
      () => parseTarHeader(link),
      /hub\.json: entries of tar type "2" \(links, devices\) are refused/,
    );
    assert.throws(() => parseTarHeader(Buffer.alloc(BLOCK_BYTES, 'x')), /not a ustar tar header/);
    assert.throws(() => parseTarHeader(Buffer.alloc(100)), /ends inside a tar header/);
  });

  it('ends an archive with zero blocks and pads data to whole blocks', () => {
    assert.equal(parseTarHeader(endOfArchive().subarray(0, BLOCK_BYTES)), 'end');
    assert.deepEqual([0, 1, 511, 512, 513].map(paddingBytes), [0, 511, 1, 0, 511]);
  });

  it('refuses what a ustar header cannot hold', () => {
    assert.throws(
      () => encodeTarHeader({ path: 'x'.repeat(101), type: 'file', bytes: 0, mode: 0o600, mtimeS: 0 }),
      /too long/,
    );
    assert.throws(
      () => encodeTarHeader({ path: 'feeds/1.dat', type: 'file', bytes: 2 ** 33, mode: 0o600, mtimeS: 0 }),
      /do not fit a tar entry/,
    );
  });
});
