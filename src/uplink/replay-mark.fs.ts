// The replay mark is one number: a small file in the data dir, replaced durably (write, fsync,
// rename, fsync the dir). A file rather than a SQLite row: no migration, and it is read and
// written only here, once per accepted command.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ReplayMark } from './ports.js';

export function fileReplayMark(file: string): ReplayMark {
  return {
    read() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const parsed = JSON.parse(text) as { lastIssuedAtMs?: unknown };
      if (typeof parsed.lastIssuedAtMs !== 'number') throw new Error(`${file} has no lastIssuedAtMs`);
      return parsed.lastIssuedAtMs;
    },
    write(issuedAtMs) {
      const tmp = `${file}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify({ lastIssuedAtMs: issuedAtMs }));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      const dirFd = openSync(dirname(file), 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    },
  };
}
