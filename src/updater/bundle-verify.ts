// Pure checks of a bundle, in the order that keeps an unsigned file from being trusted: the
// signature over the manifest, then the payload against the signed hash, then the version rules.
// Each refusal says why; none of them changes anything.
import { sign, verify, type KeyObject } from 'node:crypto';
import { manifestSchema, signedMessage, type BundleHeader, type Manifest } from './manifest.js';
import { compareVersions } from './version.js';

export type RefusalCode =
  'bad-format' | 'bad-signature' | 'bad-manifest' | 'bad-payload' | 'not-newer' | 'too-old';
export interface Refusal {
  ok: false;
  code: RefusalCode;
  reason: string;
}
export type Checked<T> = ({ ok: true } & T) | Refusal;

function refuse(code: RefusalCode, reason: string): Refusal {
  return { ok: false, code, reason };
}

/** Signs a manifest's bytes with the update key (an Ed25519 private key). */
export function signManifest(manifestBytes: Uint8Array, privateKey: KeyObject): Buffer {
  return sign(null, signedMessage(manifestBytes), privateKey);
}

/** The signature first; only a signed manifest is parsed. */
export function verifyManifest(header: BundleHeader, publicKey: KeyObject): Checked<{ manifest: Manifest }> {
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    return refuse(
      'bad-signature',
      `the update key is ${publicKey.asymmetricKeyType ?? 'not a key'}, not Ed25519`,
    );
  }
  if (!verify(null, signedMessage(header.manifestBytes), publicKey, header.signature)) {
    return refuse('bad-signature', 'the bundle is not signed by this hub’s update key');
  }
  let json: unknown;
  try {
    json = JSON.parse(header.manifestBytes.toString('utf8'));
  } catch {
    return refuse('bad-manifest', 'the signed manifest is not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(
      'bad-manifest',
      `the signed manifest is invalid: ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return { ok: true, manifest: parsed.data };
}

export interface PayloadDigest {
  sha256: string;
  bytes: number;
}

/** The payload as read from the file against the signed length and hash. */
export function checkPayload(manifest: Manifest, payload: PayloadDigest): Checked<object> {
  if (payload.bytes !== manifest.payloadBytes) {
    return refuse(
      'bad-payload',
      `the payload has ${payload.bytes} bytes, the manifest says ${manifest.payloadBytes}`,
    );
  }
  if (payload.sha256 !== manifest.payloadSha256) {
    return refuse(
      'bad-payload',
      'the payload’s sha256 does not match the signed manifest (damaged or altered)',
    );
  }
  return { ok: true };
}

/** Newer than the running version unless forced; the running version at least minFromVersion. */
export function checkVersionRules(
  manifest: Manifest,
  currentVersion: string,
  force: boolean,
): Checked<object> {
  if (compareVersions(currentVersion, manifest.minFromVersion) < 0) {
    return refuse(
      'too-old',
      `version ${manifest.version} installs only over ${manifest.minFromVersion} or newer; this hub runs ${currentVersion}`,
    );
  }
  const order = compareVersions(manifest.version, currentVersion);
  if (order === 0) return refuse('not-newer', `version ${manifest.version} is already running`);
  if (order < 0 && !force) {
    return refuse(
      'not-newer',
      `version ${manifest.version} is older than the running ${currentVersion} (use --force)`,
    );
  }
  return { ok: true };
}
