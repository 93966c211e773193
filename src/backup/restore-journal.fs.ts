// A restore's swap, made safe against a power cut (docs/backup.md): before the first rename a
// journal naming the staging and aside folders and every restored file's sha256 is written
// durably; each step is idempotent, so after a cut the swap is either finished (every restored
// file in place and verified) or undone (the old data back), never left mixed. While the journal
// exists hubd refuses to start.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from './fsync-dir.fs.js';
import type { ManifestFile } from './manifest.js';

export const RESTORE_JOURNAL = 'restore-journal.json';

export interface RestoreJournal {
  /** Folder names inside the data dir. */
  stagingDir: string;
  asideDir: string;
  /** Entries of the data dir moved aside (the old data). */
  moved: string[];
  /** Entries of the staging folder put in place (the restored data). */
  placed: string[];
  files: Pick<ManifestFile, 'path' | 'sha256'>[];
}

/** Raised where a data dir is opened while a restore of it was cut short. */
export class RestorePending extends Error {
  constructor(dataDir: string) {
    super(
      `a restore of ${dataDir} was cut short (${RESTORE_JOURNAL} is there): run "sudo hub restore --resume" ` +
        `to finish it or "sudo hub restore --abort" to put the old data back`,
    );
    this.name = 'RestorePending';
  }
}

export function readRestoreJournal(dataDir: string): RestoreJournal | undefined {
  const file = join(dataDir, RESTORE_JOURNAL);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RestoreJournal;
}

/** For hubd's start and every command that opens the data dir: refuses a half-restored one. */
export function assertNoRestorePending(dataDir: string): void {
  if (existsSync(join(dataDir, RESTORE_JOURNAL))) throw new RestorePending(dataDir);
}

/**
 * For hubd's main.ts, right after it holds the run lock and before anything opens hub.db or
 * hub.json: the reason it must not start, or undefined.
 */
export function restorePendingReason(dataDir: string): string | undefined {
  return existsSync(join(dataDir, RESTORE_JOURNAL)) ? new RestorePending(dataDir).message : undefined;
}

/** Written (synced, renamed, folder synced) before the swap's first rename: a cut then finds it. */
export function writeRestoreJournal(dataDir: string, journal: RestoreJournal): void {
  const file = join(dataDir, RESTORE_JOURNAL);
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(journal));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDir(dataDir);
}

/** One idempotent step of the swap: running it again after a cut does no harm. */
export interface SwapStep {
  name: string;
  run: () => void;
}

/** The swap's steps in order; the journal's removal is the last (the commit point's end). */
export function swapSteps(dataDir: string, journal: RestoreJournal): SwapStep[] {
  const staging = join(dataDir, journal.stagingDir);
  const aside = join(dataDir, journal.asideDir);
  return [
    { name: 'make the aside folder', run: () => mkdirSync(aside, { recursive: true, mode: 0o700 }) },
    // Aside holds the entry: it was moved already, and what is in the data dir is the restored one.
    ...journal.moved.map((name) => ({
      name: `move ${name} aside`,
      run: () => {
        if (existsSync(join(dataDir, name)) && !existsSync(join(aside, name)))
          renameSync(join(dataDir, name), join(aside, name));
      },
    })),
    { name: 'sync the aside folder', run: () => fsyncDir(aside) },
    ...journal.placed.map((name) => ({
      name: `put ${name} in place`,
      run: () => {
        if (existsSync(join(staging, name))) renameSync(join(staging, name), join(dataDir, name));
      },
    })),
    { name: 'sync the data dir', run: () => fsyncDir(dataDir) },
    { name: 'verify the restored files', run: () => verifyInPlace(dataDir, journal) },
    { name: 'remove the journal', run: () => removeJournal(dataDir) },
    { name: 'remove the staging folder', run: () => rmSync(staging, { recursive: true, force: true }) },
    // Nothing was moved aside (a fresh data dir): no empty pre-restore folder is left.
    ...(journal.moved.length
      ? []
      : [
          {
            name: 'remove the empty aside folder',
            run: () => rmSync(aside, { recursive: true, force: true }),
          },
        ]),
  ];
}

/** Runs the swap; `beforeStep` lets a test cut the power before any step. */
export function runSwap(
  dataDir: string,
  journal: RestoreJournal,
  beforeStep: (step: SwapStep, index: number) => void = () => undefined,
): void {
  swapSteps(dataDir, journal).forEach((step, index) => {
    beforeStep(step, index);
    step.run();
  });
}

/**
 * Finishes a cut-short restore: the remaining steps again, then every restored file's sha256.
 * A file that fails it (the staging folder damaged meanwhile) undoes the restore instead.
 */
export function resumeRestore(dataDir: string): 'finished' | 'undone' {
  const journal = readRestoreJournal(dataDir);
  if (!journal) throw new Error(`no restore of ${dataDir} is pending`);
  try {
    runSwap(dataDir, journal);
    return 'finished';
  } catch (err) {
    if (!(err instanceof RestoreUnverified)) throw err;
    undoRestore(dataDir);
    return 'undone';
  }
}

/** Puts the old data back: restored entries return to staging, the aside ones to the data dir. */
export function undoRestore(dataDir: string): void {
  const journal = readRestoreJournal(dataDir);
  if (!journal) throw new Error(`no restore of ${dataDir} is pending`);
  const staging = join(dataDir, journal.stagingDir);
  const aside = join(dataDir, journal.asideDir);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  const moved = new Set(journal.moved);
  for (const name of journal.placed) {
    // The data dir's entry is the restored one unless it is an old one never moved aside.
    const restored = !moved.has(name) || existsSync(join(aside, name));
    if (existsSync(join(dataDir, name)) && restored) renameSync(join(dataDir, name), join(staging, name));
  }
  for (const name of journal.moved)
    if (existsSync(join(aside, name))) renameSync(join(aside, name), join(dataDir, name));
  fsyncDir(dataDir);
  removeJournal(dataDir);
  rmSync(staging, { recursive: true, force: true });
  rmSync(aside, { recursive: true, force: true });
}

class RestoreUnverified extends Error {}

function verifyInPlace(dataDir: string, journal: RestoreJournal): void {
  for (const { path, sha256 } of journal.files) {
    const file = join(dataDir, path);
    if (!existsSync(file) || sha256Of(file) !== sha256)
      throw new RestoreUnverified(`${path} is missing or fails its sha256`);
  }
}

function sha256Of(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function removeJournal(dataDir: string): void {
  if (!existsSync(join(dataDir, RESTORE_JOURNAL))) return;
  unlinkSync(join(dataDir, RESTORE_JOURNAL));
  fsyncDir(dataDir);
}

/** Makes the staging folder's directories durable before the journal names them. */
export function fsyncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) fsyncTree(join(dir, entry.name));
  fsyncDir(dir);
}
