import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  backupFileName,
  BackupRefused,
  buildHeader,
  buildManifest,
  compareVersions,
  feedIdOfFile,
  isBackupPath,
  parseHeader,
  parseManifest,
  verifyManifest,
} from '../../../src/backup/manifest.js';

const AT_MS = Date.UTC(2026, 10, 28, 4, 15, 9);
const header = buildHeader('0.2.0', AT_MS, 'hub');
const sha = (c: string) => c.repeat(64);
const files = [
  { path: 'hub.db', bytes: 4096, sha256: sha('a') },
  { path: 'feeds/1.dat', bytes: 40, sha256: sha('b') },
];
const found = new Map(files.map((f) => [f.path, { bytes: f.bytes, sha256: f.sha256 }]));

describe('backup manifest', () => {
  it('passes a backup whose files all match', () => {
    assert.deepEqual(verifyManifest(header, buildManifest(header, files), found), []);
  });

  const cases: [string, (m: ReturnType<typeof buildManifest>, f: typeof found) => void, string][] = [
    [
      'a changed file',
      (_m, f) => f.set('feeds/1.dat', { bytes: 40, sha256: sha('c') }),
      'feeds/1.dat fails its sha256 (changed or damaged)',
    ],
    [
      'a cut file',
      (_m, f) => f.set('feeds/1.dat', { bytes: 36, sha256: sha('b') }),
      'feeds/1.dat has 36 bytes, not 40',
    ],
    ['a missing file', (_m, f) => f.delete('feeds/1.dat'), 'feeds/1.dat is listed but not in the archive'],
    [
      'a file not listed',
      (_m, f) => f.set('tls/ca.key', { bytes: 1, sha256: sha('d') }),
      'tls/ca.key is not in the manifest',
    ],
    [
      'a manifest of another backup',
      (m) => (m.createdAtMs += 1),
      "the manifest's createdAtMs differs from the header's",
    ],
    [
      'no hub.db',
      (m, f) => {
        m.files.shift();
        f.delete('hub.db');
      },
      'it holds no hub.db',
    ],
  ];
  for (const [name, change, problem] of cases)
    it(`finds ${name}`, () => {
      const manifest = structuredClone(buildManifest(header, files));
      const seen = new Map(found);
      change(manifest, seen);
      assert.deepEqual(verifyManifest(header, manifest, seen), [problem]);
    });

  it('reads a header back, refusing a foreign file, a newer format and a newer hub', () => {
    assert.deepEqual(parseHeader(JSON.stringify(header), '0.2.0'), header);
    assert.throws(() => parseHeader('{"kind":"emoncms"}', '0.2.0'), /not an Energy Hub backup's/);
    assert.throws(() => parseHeader('<html>', '0.2.0'), BackupRefused);
    assert.throws(
      () => parseHeader(JSON.stringify({ ...header, format: 2 }), '0.2.0'),
      /backup format 2, and this hub \(0\.2\.0\) reads format 1: update this hub first/,
    );
    assert.throws(
      () => parseHeader(JSON.stringify({ ...header, hubVersion: '0.10.0' }), '0.9.9'),
      /made by hub 0\.10\.0, newer than this hub \(0\.9\.9\)/,
    );
    assert.throws(
      () => parseManifest('{"files":[{"path":"hub.db"}]}'),
      /does not list files with sizes and sha256/,
    );
  });

  it('takes only the paths a backup holds', () => {
    const good = [
      'hub.db',
      'hub.json',
      'feeds/1.dat',
      'feeds/12.meta',
      'feeds/3.r86400',
      'tls/ca.key',
      'tls/server.crt',
    ];
    const bad = [
      '../hub.db',
      '/etc/passwd',
      'feeds/../hub.db',
      'feeds/1.dat.tmp',
      'tls/..',
      'tls/.x',
      'run/hubd.sock',
      'hub.db-wal',
      'mqtt/LOG',
      'feeds/x/1.dat',
    ];
    assert.deepEqual(good.filter(isBackupPath), good);
    assert.deepEqual(bad.filter(isBackupPath), []);
    assert.deepEqual(['12.r600', '7.dat', '7.dat.trim', 'x.meta'].map(feedIdOfFile), [
      12,
      7,
      undefined,
      undefined,
    ]);
  });

  it('names the file by host and UTC time, and compares versions by number', () => {
    assert.equal(backupFileName('hub.local', AT_MS), 'hub-backup-hublocal-20261128-041509.tar.gz');
    assert.equal(backupFileName('', AT_MS), 'hub-backup-hub-20261128-041509.tar.gz');
    assert.deepEqual(
      [
        compareVersions('0.10.0', '0.9.1'),
        compareVersions('1.0.0', '1.0'),
        compareVersions('0.1.0-rc1', '0.2.0'),
      ],
      [1, 0, -1],
    );
  });
});
