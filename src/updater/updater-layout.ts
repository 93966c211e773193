// Where the updater keeps things. appDir and dataDir are both on the data partition on the
// appliance (/data/app and /data/hub); hubd runs from appDir/current.
import { join } from 'node:path';

export interface UpdaterLayout {
  appDir: string;
  dataDir: string;
}

export const RELEASE_MARKER = '.release.json';

export function layoutPaths(layout: UpdaterLayout) {
  const updateDir = join(layout.appDir, 'update');
  return {
    releasesDir: join(layout.appDir, 'releases'),
    currentLink: join(layout.appDir, 'current'),
    updateDir,
    journalFile: join(updateDir, 'journal.json'),
    /** One hub-updater at a time (updater-lock.fs.ts). */
    lockFile: join(updateDir, 'lock'),
    /** Root-only copies of inbox bundles, verified and installed from here. */
    incomingDir: join(updateDir, 'incoming'),
    snapshotDir: join(updateDir, 'snapshot'),
    releaseDir: (version: string) => join(layout.appDir, 'releases', version),
    stagingDir: (version: string) => join(layout.appDir, 'releases', `.staging-${version}`),
  };
}
