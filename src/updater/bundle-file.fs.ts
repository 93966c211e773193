import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { HEADER_FIXED_BYTES, readHeaderLength, splitBundleHeader, type BundleHeader } from './manifest.js';
import type { PayloadDigest } from './bundle-verify.js';

function readAt(fd: number, bytes: number, position: number): Buffer {
  const buf = Buffer.alloc(bytes);
  const got = readSync(fd, buf, 0, bytes, position);
  return buf.subarray(0, got);
}

export type HeaderRead = ({ ok: true } & BundleHeader) | { ok: false; reason: string };

/** The envelope of a bundle file: manifest and signature, and where the payload starts. */
export function readBundleHeader(file: string): HeaderRead {
  const fd = openSync(file, 'r');
  try {
    const length = readHeaderLength(readAt(fd, HEADER_FIXED_BYTES, 0));
    if (!length.ok) return length;
    const header = readAt(fd, length.headerBytes, 0);
    if (header.length < length.headerBytes)
      return { ok: false, reason: 'the bundle is cut short in its header' };
    return { ok: true, ...splitBundleHeader(header) };
  } finally {
    closeSync(fd);
  }
}

/** sha256 and length of everything from `offset` to the end of the file. */
export async function digestPayload(file: string, offset: number): Promise<PayloadDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { start: offset })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
