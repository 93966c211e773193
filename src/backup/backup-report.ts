import type { WrittenBackup } from './backup-writer.fs.js';

/** What `hub backup` prints, whether hubd or the command made the file. */
export function describeBackup(written: WrittenBackup, file: string, tookMs: number): string[] {
  const feeds = new Set(
    written.manifest.files.filter((f) => f.path.startsWith('feeds/')).map((f) => f.path.split(/[/.]/)[1]),
  );
  const mb = (written.bytes / 1e6).toFixed(written.bytes < 1e7 ? 2 : 0);
  return [
    `wrote ${file}: ${written.manifest.files.length} files (hub.db, ${feeds.size} feeds), ${mb} MB in ${(tookMs / 1000).toFixed(1)} s`,
    "it holds the hub's TLS keys, password hashes and device secrets: it is readable only by you (mode 600); keep it private",
  ];
}
