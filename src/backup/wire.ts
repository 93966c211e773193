import Database from 'better-sqlite3';
import { chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { backupRoutes } from '../api/routes/backup.js';
import { callHubd } from '../cli/hubd-client.js';
import type { LoadedConfig } from '../config/config-file.fs.js';
import { acquireRunLock, RunLockHeld } from '../config/run-lock.fs.js';
import { readVersion } from '../config/version.fs.js';
import type { DbPorts } from '../db/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { Clock } from '../shared/clock.js';
import { describeError, UserError } from '../shared/errors.js';
import type { TimeseriesPorts } from '../timeseries/wire.js';
import { describeBackup } from './backup-report.js';
import type { WrittenBackup } from './backup-writer.fs.js';
import { backupsDir, createBackup, removeLeftovers, type BackupDeps } from './create-backup.fs.js';
import { backupFileName, BackupRefused } from './manifest.js';
import type { BackupPorts, Backups } from './ports.js';
import { restoreBackup } from './restore.fs.js';
import {
  assertNoRestorePending,
  readRestoreJournal,
  resumeRestore,
  undoRestore,
} from './restore-journal.fs.js';
import { takeBackupFile } from './take-backup-file.fs.js';

type Ctx = Pick<ModuleContext, 'paths' | 'clock' | 'version'> & DbPorts & Pick<TimeseriesPorts, 'flusher'>;

/** Backups while hubd runs (ADR 012): the app's download and the `hub backup` command through hubd. */
export function wireBackup(ctx: Ctx): WiredModule<BackupPorts> {
  const deps: BackupDeps = {
    paths: ctx.paths,
    db: ctx.db,
    hubVersion: ctx.version.version,
    hostname: hostname(),
    nowMs: () => ctx.clock.nowMs(),
    exclusive: (fn) => ctx.flusher.exclusive(fn),
  };
  const dir = backupsDir(ctx.paths.dataDir);
  // Never start on a half-restored data dir, nor clear the staging folder a resume needs.
  assertNoRestorePending(ctx.paths.dataDir);
  removeLeftovers(ctx.paths.dataDir); // hubd holds the run lock: no backup or restore is under way
  const backups: Backups = {
    dir,
    create: (outFile) => {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return createBackup(deps, outFile);
    },
  };
  const routes = backupRoutes({ backups, hostname: deps.hostname, nowMs: deps.nowMs });
  return { components: [], routes, ports: { backups } };
}

/**
 * A backup with no hubd: the command holds the run lock, so nothing writes meanwhile and nothing
 * is buffered to flush (points a crashed hubd left in Redis are written at its next start).
 */
async function backupOffline(
  loaded: Pick<LoadedConfig, 'paths'>,
  hubVersion: string,
  clock: Clock,
  outFile: string,
): Promise<WrittenBackup> {
  const db = new Database(loaded.paths.dbFile, { readonly: true, fileMustExist: true });
  try {
    const exclusive = <T>(fn: () => Promise<T>) => fn();
    const deps = {
      paths: loaded.paths,
      db,
      hubVersion,
      hostname: hostname(),
      nowMs: () => clock.nowMs(),
      exclusive,
    };
    return await createBackup(deps, outFile);
  } finally {
    db.close();
    giveBackWal(loaded.paths.dbFile);
  }
}

/**
 * A read-only connection to a WAL database leaves its -wal and -shm behind; made by root (`sudo
 * hub backup`), hubd (its own user) could not open hub.db after. They go to the data dir's owner.
 */
function giveBackWal(dbFile: string): void {
  if (process.getuid?.() !== 0) return;
  const owner = statSync(dbFile);
  for (const suffix of ['-wal', '-shm'])
    if (existsSync(dbFile + suffix)) chownSync(dbFile + suffix, owner.uid, owner.gid);
}

type Out = (line: string) => void;

/**
 * `hub backup [--out FILE]`: through the running hubd when there is one (it writes its buffered
 * points first and holds its flusher off while it copies), else here under the run lock. hubd
 * writes into its own data dir; the file is then moved to FILE, so it is the caller's (ADR 012).
 */
export async function backupCommand(
  loaded: LoadedConfig,
  outArg: string | undefined,
  clock: Clock,
  out: Out,
) {
  const { dataDir } = loaded.paths;
  const name = backupFileName(hostname(), clock.nowMs());
  const outFile = resolve(outArg ?? name);
  if (existsSync(outFile)) throw new UserError(`${outFile} exists already; choose another --out`);
  let lock;
  try {
    lock = await acquireRunLock(dataDir, 'hub', { command: 'backup' });
  } catch (err) {
    if (!(err instanceof RunLockHeld)) throw err;
    return viaHubd(err);
  }
  try {
    assertNoRestorePending(dataDir);
    if (!existsSync(loaded.paths.dbFile))
      throw new UserError(`no ${loaded.paths.dbFile}: nothing to back up`);
    const t0 = performance.now();
    const written = await backupOffline(loaded, readVersion().version, clock, outFile);
    for (const line of describeBackup(written, outFile, performance.now() - t0)) out(line);
    return 0;
  } finally {
    await lock.release();
  }

  async function viaHubd(held: RunLockHeld): Promise<number> {
    const holder = held.holder;
    if (holder?.role !== 'hubd' || !holder.socket) throw new UserError(`${held.message}; no backup was made`);
    const result = await callHubd(holder.socket, 'backup', { name });
    if (!result)
      throw new UserError(
        `hubd (pid ${holder.pid}) holds the data dir but its control socket does not answer`,
      );
    const made = join(dataDir, 'backups', name);
    takeBackupFile(made, outFile, statSync(dataDir).uid);
    for (const line of result.lines) out(line.replace(made, outFile));
    return result.code;
  }
}

/**
 * `hub restore FILE`: only with hubd stopped (the command must hold the run lock, so no hubd
 * writes while the data is swapped, and none starts until it is done).
 */
export async function restoreCommand(
  loaded: LoadedConfig,
  file: string | undefined,
  clock: Clock,
  out: Out,
  pending: { resume?: boolean; abort?: boolean } = {},
) {
  if (pending.resume || pending.abort)
    return resolvePending(loaded, pending.resume ? 'resume' : 'abort', out);
  if (!file) throw new UserError('give the backup file');
  const path = resolve(file);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new UserError(`no file ${path}`);
  const { dataDir } = loaded.paths;
  const lock = await restoreLock(dataDir);
  try {
    if (readRestoreJournal(dataDir))
      throw new UserError(
        `a restore of ${dataDir} was cut short: finish it (hub restore --resume) or undo it (hub restore --abort) first; nothing was changed`,
      );
    const restored = await restoreBackup({
      file: path,
      dataDir,
      hubVersion: readVersion().version,
      nowMs: clock.nowMs(),
    });
    const { header, manifest } = restored;
    out(
      `restored the backup of ${header.hostname} made ${header.createdAt} by hub ${header.hubVersion}: ${manifest.files.length} files, each sha256 checked`,
    );
    if (restored.asideDir)
      out(
        `the data that was in ${dataDir} is in ${restored.asideDir}; delete it once the restored hub works`,
      );
    out('start hubd now (sudo systemctl start hubd)');
    return 0;
  } catch (err) {
    if (err instanceof BackupRefused)
      throw new UserError(`${path} was not restored: ${err.message}; nothing was changed`);
    throw new Error(`restore failed: ${describeError(err)}`, { cause: err });
  } finally {
    await lock.release();
  }
}

async function restoreLock(dataDir: string) {
  try {
    return await acquireRunLock(dataDir, 'hub', { command: 'restore' });
  } catch (err) {
    if (!(err instanceof RunLockHeld)) throw err;
    if (err.holder?.role === 'hubd')
      throw new UserError(
        `hubd (pid ${err.holder.pid}) is running on ${dataDir}: stop it first (sudo systemctl stop hubd), then restore; nothing was changed`,
      );
    throw new UserError(`${err.message}; nothing was changed`);
  }
}

/** `hub restore --resume | --abort`: a restore a power cut left half done is finished or undone. */
async function resolvePending(loaded: LoadedConfig, how: 'resume' | 'abort', out: Out): Promise<number> {
  const { dataDir } = loaded.paths;
  const lock = await restoreLock(dataDir);
  try {
    const journal = readRestoreJournal(dataDir);
    if (!journal) throw new UserError(`no restore of ${dataDir} is pending; nothing was changed`);
    if (how === 'abort') {
      undoRestore(dataDir);
      out(`undid the cut-short restore: ${dataDir} holds the data it held before`);
      return 0;
    }
    if (resumeRestore(dataDir) === 'undone') {
      out(
        `the restored files fail their sha256: the restore was undone, ${dataDir} holds the data it held before`,
      );
      return 1;
    }
    out(`finished the cut-short restore: ${journal.files.length} files in place, each sha256 checked`);
    if (journal.moved.length)
      out(
        `the data that was in ${dataDir} is in ${join(dataDir, journal.asideDir)}; delete it once the restored hub works`,
      );
    out('start hubd now (sudo systemctl start hubd)');
    return 0;
  } finally {
    await lock.release();
  }
}
