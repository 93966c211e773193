// outbox/status.json: hub-updater (root) writes it whole at every change; hubd (user hub) reads it.
import { chmodSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncPath, writeFileDurably } from './durable-file.fs.js';
import { updateStatusSchema, type UpdateStatus } from './update-inbox.js';

export interface StatusFile {
  /** The last status written, or null when there is none (or it is not one). */
  read(): UpdateStatus | null;
  write(status: UpdateStatus): void;
}

export function fileStatus(statusFile: string): StatusFile {
  return {
    read() {
      try {
        const parsed = updateStatusSchema.safeParse(JSON.parse(readFileSync(statusFile, 'utf8')));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    write(status) {
      const dir = dirname(statusFile);
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      chmodSync(dir, 0o755); // readable by hubd, writable by root only
      // Its own temporary name: a `busy` answer is written without the lock, beside the holder's.
      const tmp = `${statusFile}.${process.pid}`;
      writeFileDurably(tmp, `${JSON.stringify(updateStatusSchema.parse(status))}\n`, 0o644);
      renameSync(tmp, statusFile);
      fsyncPath(dir);
    },
  };
}
