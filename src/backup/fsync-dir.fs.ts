import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Makes renames in `dir` durable: without it a power cut may undo them. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
