import { closeSync, fdatasyncSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { VALUE_BYTES } from './phpfina-format.js';

// Small file helpers shared by the feed writer and reader.

const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** Values of file slots [from, to) of a .dat; NaN where the file has none. */
export function readValues(fd: number, from: number, to: number): Float32Array {
  const out = new Float32Array(Math.max(0, to - from));
  const start = Math.max(0, from);
  // A range wholly before the file (a cached block ahead of its first slot) reads as missing.
  if (to <= start) return out.fill(NaN);
  out.fill(NaN, 0, start - from);
  if (LITTLE_ENDIAN) {
    // Straight into the result: one allocation per read (an averaged year makes ~800 of them).
    const at = (start - from) * VALUE_BYTES;
    const got = readSync(
      fd,
      new Uint8Array(out.buffer, at, (to - start) * VALUE_BYTES),
      0,
      (to - start) * VALUE_BYTES,
      start * VALUE_BYTES,
    );
    out.fill(NaN, start - from + Math.floor(got / VALUE_BYTES));
    return out;
  }
  const bytes = new Uint8Array((to - start) * VALUE_BYTES);
  const got = readSync(fd, bytes, 0, bytes.length, start * VALUE_BYTES);
  const count = Math.floor(got / VALUE_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) out[start - from + i] = view.getFloat32(i * VALUE_BYTES, true);
  out.fill(NaN, start - from + count);
  return out;
}

/**
 * Every write and sync of the feed files goes through this seam, so a test can make the disk
 * fail (ENOSPC, EIO, a short write) as a real one does.
 */
export interface FileWriter {
  /** One write(2): may write fewer bytes than asked; throws on an error. */
  write(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number;
  datasync(fd: number): void;
  fsync(fd: number): void;
}

export const nodeFileWriter: FileWriter = {
  write: (fd, bytes, offset, length, position) => writeSync(fd, bytes, offset, length, position),
  datasync: (fd) => fdatasyncSync(fd),
  fsync: (fd) => fsyncSync(fd),
};

export function writeAll(fd: number, bytes: Uint8Array, position: number, io = nodeFileWriter): void {
  let done = 0;
  while (done < bytes.length) done += io.write(fd, bytes, done, bytes.length - done, position + done);
}

/** A new file with `bytes`, fsync'ed before it is closed (to be renamed into place after). */
export function writeFileSynced(path: string, bytes: Uint8Array, mode: number, io = nodeFileWriter): void {
  const fd = openSync(path, 'w', mode);
  try {
    writeAll(fd, bytes, 0, io);
    io.fsync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes renames in `dir` durable. */
export function syncDir(dir: string, io = nodeFileWriter): void {
  const fd = openSync(dir, 'r');
  try {
    io.fsync(fd);
  } finally {
    closeSync(fd);
  }
}

export function fstatSize(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}
