import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  checkPayload,
  checkVersionRules,
  signManifest,
  verifyManifest,
} from '../../../src/updater/bundle-verify.js';
import {
  encodeBundleHeader,
  HEADER_FIXED_BYTES,
  readHeaderLength,
  splitBundleHeader,
  type Manifest,
} from '../../../src/updater/manifest.js';
import { compareVersions, isVersion } from '../../../src/updater/version.js';

const keys = generateKeyPairSync('ed25519');
const manifest: Manifest = {
  format: 1,
  version: '1.2.0',
  payloadSha256: 'c'.repeat(64),
  payloadBytes: 1234,
  minFromVersion: '1.0.0',
  createdAt: '2026-11-28T04:00:00.000Z',
};

function headerFor(bytes: Buffer, privateKey = keys.privateKey) {
  return splitBundleHeader(encodeBundleHeader(bytes, signManifest(bytes, privateKey)));
}

describe('bundle header', () => {
  it('round-trips manifest and signature and says where the payload starts', () => {
    const bytes = Buffer.from(JSON.stringify(manifest));
    const encoded = encodeBundleHeader(bytes, Buffer.alloc(64, 7));
    const length = readHeaderLength(encoded.subarray(0, HEADER_FIXED_BYTES));
    assert.deepEqual(length, { ok: true, headerBytes: 12 + bytes.length + 64 });
    const header = splitBundleHeader(encoded);
    assert.deepEqual(header.manifestBytes, bytes);
    assert.deepEqual(header.signature, Buffer.alloc(64, 7));
    assert.equal(header.payloadOffset, encoded.length);
  });

  it('refuses a file that is not a bundle, or claims a huge manifest', () => {
    assert.deepEqual(readHeaderLength(Buffer.from('PK\u0003\u0004 a zip file')), {
      ok: false,
      reason: 'not an Energy Hub update bundle (no EHBUNDL1 header)',
    });
    const huge = Buffer.concat([Buffer.from('EHBUNDL1'), Buffer.from([0x7f, 0, 0, 0])]);
    assert.match((readHeaderLength(huge) as { reason: string }).reason, /outside 1\.\.16384/);
  });
});

describe('verifyManifest', () => {
  it('accepts a manifest signed by the update key', () => {
    const result = verifyManifest(headerFor(Buffer.from(JSON.stringify(manifest))), keys.publicKey);
    assert.deepEqual(result, { ok: true, manifest });
  });

  it('refuses another key, an altered manifest and a signature without the bundle prefix', () => {
    const bytes = Buffer.from(JSON.stringify(manifest));
    const stranger = generateKeyPairSync('ed25519');
    assert.equal(verifyManifest(headerFor(bytes, stranger.privateKey), keys.publicKey).ok, false);
    const altered = headerFor(bytes);
    altered.manifestBytes = Buffer.from(JSON.stringify({ ...manifest, minFromVersion: '0.0.1' }));
    const refused = verifyManifest(altered, keys.publicKey);
    assert.deepEqual(refused, {
      ok: false,
      code: 'bad-signature',
      reason: 'the bundle is not signed by this hub’s update key',
    });
    // A signature over the bare manifest (e.g. made for a remote command) is not a bundle signature.
    const bare = { ...headerFor(bytes), signature: sign(null, bytes, keys.privateKey) };
    assert.equal(verifyManifest(bare, keys.publicKey).ok, false);
  });

  it('refuses a signed manifest that is not valid, naming the field', () => {
    const bad = Buffer.from(JSON.stringify({ ...manifest, version: '../../etc' }));
    const result = verifyManifest(headerFor(bad), keys.publicKey);
    assert.equal(result.ok, false);
    assert.match((result as { reason: string }).reason, /^the signed manifest is invalid: version: /);
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const result = verifyManifest(headerFor(Buffer.from(JSON.stringify(manifest))), rsa.publicKey);
    assert.deepEqual(result, {
      ok: false,
      code: 'bad-signature',
      reason: 'the update key is rsa, not Ed25519',
    });
  });
});

describe('checkPayload and checkVersionRules', () => {
  it('compares the payload with the signed length and hash', () => {
    assert.deepEqual(checkPayload(manifest, { sha256: 'c'.repeat(64), bytes: 1234 }), { ok: true });
    assert.equal(checkPayload(manifest, { sha256: 'c'.repeat(64), bytes: 1233 }).ok, false);
    assert.equal(checkPayload(manifest, { sha256: 'd'.repeat(64), bytes: 1234 }).ok, false);
  });

  const table: { current: string; version?: string; force?: boolean; code: string | null }[] = [
    { current: '1.1.0', code: null },
    { current: '1.0.0', code: null },
    { current: '0.9.9', code: 'too-old' },
    { current: '0.9.9', force: true, code: 'too-old' },
    { current: '1.2.0', code: 'not-newer' },
    { current: '1.2.0', force: true, code: 'not-newer' },
    { current: '1.3.0', code: 'not-newer' },
    { current: '1.3.0', force: true, code: null },
    { current: '1.2.0-rc.1', code: null },
  ];
  for (const row of table) {
    it(`running ${row.current}${row.force ? ' (forced)' : ''}: ${row.code ?? 'accepted'}`, () => {
      const result = checkVersionRules(manifest, row.current, row.force ?? false);
      assert.equal(result.ok ? null : result.code, row.code);
    });
  }
});

describe('versions', () => {
  it('orders by semver precedence', () => {
    const sorted = [
      '1.0.0',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-rc.1',
      '0.9.12',
      '1.0.0-alpha.beta',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '1.10.0',
      '1.2.0',
    ];
    sorted.sort(compareVersions);
    assert.deepEqual(sorted, [
      '0.9.12',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.2.0',
      '1.10.0',
    ]);
  });

  it('admits no path-like or loose version', () => {
    for (const bad of ['1.0', '01.0.0', '1.0.0/..', '../1.0.0', '1.0.0+build', 'v1.0.0', ''])
      assert.equal(isVersion(bad), false, bad);
    assert.throws(() => compareVersions('1.0', '1.0.0'), /not a version/);
  });
});
