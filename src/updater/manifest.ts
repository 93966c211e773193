// The bundle's envelope and manifest (docs/updates.md, ADR 011). A bundle file is
//   "EHBUNDL1" | manifest length (uint32 BE) | manifest JSON | Ed25519 signature (64 bytes) | payload
// where the payload is the release as a gzipped tar. The signature covers a fixed prefix plus the
// manifest bytes exactly as stored, so nothing is re-serialised before it is checked, and a
// signature made for another purpose with the same key (a remote command) never passes as one.
import { z } from 'zod';
import { isVersion } from './version.js';

export const BUNDLE_MAGIC = Buffer.from('EHBUNDL1', 'ascii');
export const HEADER_FIXED_BYTES = BUNDLE_MAGIC.length + 4;
export const SIGNATURE_BYTES = 64;
export const MAX_MANIFEST_BYTES = 16 * 1024;
const SIGNED_PREFIX = Buffer.from('energy-hub update bundle v1\n', 'ascii');

const versionString = z.string().refine(isVersion, 'a version MAJOR.MINOR.PATCH[-pre]');

export const manifestSchema = z.strictObject({
  format: z.literal(1),
  version: versionString,
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
  payloadBytes: z.number().int().nonnegative(),
  minFromVersion: versionString,
  createdAt: z.iso.datetime(),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** The exact bytes the Ed25519 signature is made over. */
export function signedMessage(manifestBytes: Uint8Array): Buffer {
  return Buffer.concat([SIGNED_PREFIX, manifestBytes]);
}

/** Magic, length, manifest and signature: everything in front of the payload. */
export function encodeBundleHeader(manifestBytes: Uint8Array, signature: Uint8Array): Buffer {
  if (signature.length !== SIGNATURE_BYTES)
    throw new Error(`an Ed25519 signature has ${SIGNATURE_BYTES} bytes`);
  if (manifestBytes.length > MAX_MANIFEST_BYTES) throw new Error('manifest too large');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(manifestBytes.length);
  return Buffer.concat([BUNDLE_MAGIC, length, manifestBytes, signature]);
}

export type HeaderLength = { ok: true; headerBytes: number } | { ok: false; reason: string };

/** From the first HEADER_FIXED_BYTES of a file: how many bytes the whole header has. */
export function readHeaderLength(fixed: Uint8Array): HeaderLength {
  const buf = Buffer.from(fixed);
  if (buf.length < HEADER_FIXED_BYTES || !buf.subarray(0, BUNDLE_MAGIC.length).equals(BUNDLE_MAGIC)) {
    return { ok: false, reason: 'not an Energy Hub update bundle (no EHBUNDL1 header)' };
  }
  const manifestBytes = buf.readUInt32BE(BUNDLE_MAGIC.length);
  if (manifestBytes === 0 || manifestBytes > MAX_MANIFEST_BYTES) {
    return {
      ok: false,
      reason: `bundle manifest length ${manifestBytes} is outside 1..${MAX_MANIFEST_BYTES}`,
    };
  }
  return { ok: true, headerBytes: HEADER_FIXED_BYTES + manifestBytes + SIGNATURE_BYTES };
}

export interface BundleHeader {
  manifestBytes: Buffer;
  signature: Buffer;
  /** Where the payload starts in the file. */
  payloadOffset: number;
}

/** Splits a header read whole (its length from readHeaderLength). */
export function splitBundleHeader(header: Uint8Array): BundleHeader {
  const buf = Buffer.from(header);
  const length = readHeaderLength(buf);
  if (!length.ok) throw new Error(length.reason);
  if (buf.length < length.headerBytes) throw new Error('bundle header is cut short');
  const manifestEnd = HEADER_FIXED_BYTES + buf.readUInt32BE(BUNDLE_MAGIC.length);
  return {
    manifestBytes: buf.subarray(HEADER_FIXED_BYTES, manifestEnd),
    signature: buf.subarray(manifestEnd, manifestEnd + SIGNATURE_BYTES),
    payloadOffset: length.headerBytes,
  };
}
