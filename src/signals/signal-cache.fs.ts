// The last good copy of each signal on the data partition, `<dataDir>/signals/<name>.json`, so a
// restart or an offline day still has it and nothing is fetched again before its time. Written
// atomically (temporary file, fsync, rename): a power cut leaves the old copy or the new one.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isSignal, SIGNAL_NAME, type Signal } from './signal.js';

export interface SignalCache {
  save(name: string, signal: Signal): void;
  /** Every readable cached signal; unreadable files are named in `problems` and skipped. */
  loadAll(): { signals: Map<string, Signal>; problems: string[] };
}

export class FileSignalCache implements SignalCache {
  constructor(private readonly dir: string) {}

  save(name: string, signal: Signal): void {
    if (!SIGNAL_NAME.test(name)) throw new Error(`not a signal name: ${name}`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${name}.json`);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(signal));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  }

  loadAll(): { signals: Map<string, Signal>; problems: string[] } {
    const signals = new Map<string, Signal>();
    const problems: string[] = [];
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return { signals, problems }; // nothing cached yet
    }
    for (const file of files) {
      const name = file.endsWith('.json') ? file.slice(0, -5) : '';
      if (!SIGNAL_NAME.test(name)) continue;
      try {
        const parsed: unknown = JSON.parse(readFileSync(join(this.dir, file), 'utf8'));
        if (isSignal(parsed)) signals.set(name, parsed);
        else problems.push(`${file}: not a signal`);
      } catch (err) {
        problems.push(`${file}: ${(err as Error).message}`);
      }
    }
    return { signals, problems };
  }
}
