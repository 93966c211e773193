// Writes that survive a power cut: the bytes are fsync'ed before the rename that makes them
// visible, and the folder after it, so the name points at complete data or at the old file.
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  lstatSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `file` with `bytes` atomically (tmp + fsync + rename + fsync of the folder). */
export function writeFileDurably(file: string, bytes: string | Uint8Array, mode = 0o600): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    fchmodSync(fd, mode); // whatever the umask

    writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncPath(dirname(file));
}

/** fsyncs every file and folder under `dir` (an unpacked release, before it is renamed into place). */
export function fsyncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(path);
    else if (entry.isFile()) fsyncPath(path);
  }
  if (lstatSync(dir).isDirectory()) fsyncPath(dir);
}
