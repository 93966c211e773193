// Builds and signs bundles, and makes update keys (on the build machine, not the hub).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { signManifest } from './bundle-verify.js';
import { digestPayload } from './bundle-file.fs.js';
import { encodeBundleHeader, manifestSchema, type Manifest } from './manifest.js';
import { packTarGz } from './tar.process.js';

/** A new Ed25519 update key: the private key (PKCS#8 PEM, mode 600) and the public one for the image. */
export function writeUpdateKeys(dir: string): { privateKeyFile: string; publicKeyFile: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateKeyFile = join(dir, 'update-key.pem');
  const publicKeyFile = join(dir, 'update-key.pub.pem');
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
    flag: 'wx',
  });
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), {
    mode: 0o644,
    flag: 'wx',
  });
  return { privateKeyFile, publicKeyFile };
}

/** Packs `releaseDir` (the built app, its node_modules and its Node) into a signed bundle. */
export async function writeBundle(opts: {
  releaseDir: string;
  outFile: string;
  version: string;
  minFromVersion: string;
  createdAt: string;
  privateKey: KeyObject;
}): Promise<Manifest> {
  const payloadFile = `${opts.outFile}.payload.tmp`;
  try {
    await packTarGz(opts.releaseDir, payloadFile);
    const digest = await digestPayload(payloadFile, 0);
    const manifest = manifestSchema.parse({
      format: 1,
      version: opts.version,
      payloadSha256: digest.sha256,
      payloadBytes: digest.bytes,
      minFromVersion: opts.minFromVersion,
      createdAt: opts.createdAt,
    });
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const fd = openSync(opts.outFile, 'w', 0o644);
    try {
      writeSync(fd, encodeBundleHeader(manifestBytes, signManifest(manifestBytes, opts.privateKey)));
    } finally {
      closeSync(fd);
    }
    await pipeline(createReadStream(payloadFile), createWriteStream(opts.outFile, { flags: 'a' }));
    return manifest;
  } finally {
    rmSync(payloadFile, { force: true });
  }
}
