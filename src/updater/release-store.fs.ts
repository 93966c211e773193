// The releases on disk: releases/<version> unpacked whole or not at all (staged, fsync'ed, marked,
// renamed), and `current`, a relative symlink replaced in one rename.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ActiveJournal, DiskFacts } from './install-journal.js';
import type { ReleaseStore } from './ports.js';
import { fsyncPath, fsyncTree, writeFileDurably } from './durable-file.fs.js';
import { restoreSnapshot, takeSnapshot } from './snapshot.sqlite.js';
import { unpackTarGz } from './tar.process.js';
import { layoutPaths, RELEASE_MARKER, type UpdaterLayout } from './updater-layout.js';
import { isVersion } from './version.js';

/** The bundle being installed (only the unpack step reads it; recovery never unpacks). */
export interface BundlePayload {
  file: string;
  payloadOffset: number;
}

/** True when releases/<version> finished unpacking: its marker names it. */
export function isCompleteRelease(layout: UpdaterLayout, version: string): boolean {
  try {
    const marker = JSON.parse(
      readFileSync(`${layoutPaths(layout).releaseDir(version)}/${RELEASE_MARKER}`, 'utf8'),
    );
    return (marker as { version?: unknown }).version === version;
  } catch {
    return false;
  }
}

export function readDiskFacts(layout: UpdaterLayout): DiskFacts {
  const paths = layoutPaths(layout);
  let currentVersion: string | null = null;
  try {
    const target = readlinkSync(paths.currentLink);
    if (dirname(target) === 'releases' && isVersion(basename(target))) currentVersion = basename(target);
  } catch {
    currentVersion = null;
  }
  const names = existsSync(paths.releasesDir) ? readdirSync(paths.releasesDir) : [];
  const completeVersions = names.filter((name) => isVersion(name) && isCompleteRelease(layout, name));
  return { currentVersion, completeVersions };
}

/** Points `current` at releases/<version>: a new link beside it, renamed over the old one. */
export function switchCurrent(layout: UpdaterLayout, version: string): void {
  if (!isCompleteRelease(layout, version)) throw new Error(`release ${version} is not completely unpacked`);
  const { currentLink } = layoutPaths(layout);
  const tmp = `${currentLink}.${randomBytes(4).toString('hex')}.tmp`;
  symlinkSync(`releases/${version}`, tmp);
  renameSync(tmp, currentLink);
  fsyncPath(dirname(currentLink));
}

/** Removes every release but `keep` (and half-unpacked leftovers); the marker goes first. */
export function pruneReleases(layout: UpdaterLayout, keep: readonly string[]): string[] {
  const paths = layoutPaths(layout);
  const removed: string[] = [];
  for (const name of existsSync(paths.releasesDir) ? readdirSync(paths.releasesDir) : []) {
    if (keep.includes(name)) continue;
    // A link (the image's factory release on the read-only root) goes; what it names stays.
    if (!lstatSync(`${paths.releasesDir}/${name}`).isSymbolicLink()) {
      rmSync(`${paths.releasesDir}/${name}/${RELEASE_MARKER}`, { force: true });
    }
    rmSync(`${paths.releasesDir}/${name}`, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** No set-user-id, set-group-id or sticky file comes out of a bundle, whatever its tar says. */
function dropSpecialBits(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isSymbolicLink()) continue;
    const { mode } = lstatSync(path);
    if (mode & 0o7000) chmodSync(path, mode & 0o777);
    if (entry.isDirectory()) dropSpecialBits(path);
  }
}

export function fsReleaseStore(layout: UpdaterLayout, bundle?: BundlePayload): ReleaseStore {
  const paths = layoutPaths(layout);
  return {
    async unpack(journal: ActiveJournal) {
      if (!bundle) throw new Error('no bundle to unpack');
      const facts = readDiskFacts(layout);
      if (facts.currentVersion === journal.version || journal.version === journal.fromVersion) {
        throw new Error(`release ${journal.version} is the running one`);
      }
      const staging = paths.stagingDir(journal.version);
      rmSync(staging, { recursive: true, force: true });
      // Root-only until checked: a payload swapped after its hash was verified is unpacked where
      // nobody else can reach it, and deleted.
      mkdirSync(staging, { recursive: true, mode: 0o700 });
      try {
        const sha256 = await unpackTarGz(bundle.file, bundle.payloadOffset, staging);
        if (sha256 !== journal.payloadSha256) throw new Error('the bundle changed while it was unpacked');
      } catch (err) {
        rmSync(staging, { recursive: true, force: true });
        throw err;
      }
      dropSpecialBits(staging);
      chmodSync(staging, 0o755);
      fsyncTree(staging);
      const sha256 = journal.payloadSha256;
      writeFileDurably(
        `${staging}/${RELEASE_MARKER}`,
        JSON.stringify({ version: journal.version, payloadSha256: sha256 }),
      );
      const target = paths.releaseDir(journal.version);
      rmSync(target, { recursive: true, force: true }); // a leftover of an earlier try, never current
      renameSync(staging, target);
      fsyncPath(paths.releasesDir);
    },
    async snapshot() {
      await takeSnapshot(layout.dataDir, paths.snapshotDir);
    },
    async switchTo(version: string) {
      switchCurrent(layout, version);
    },
    async restoreSnapshot() {
      restoreSnapshot(layout.dataDir, paths.snapshotDir);
    },
    async facts() {
      return readDiskFacts(layout);
    },
  };
}
