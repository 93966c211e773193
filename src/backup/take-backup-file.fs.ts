// `sudo hub backup` through hubd: hubd (the `hub` user) writes the file in its backups folder, and
// the command, maybe root, takes it to --out. That folder is the `hub` user's, so whatever is there
// may be a planted link: the file is opened without following links, checked on its descriptor
// (a regular file of the data dir's owner, one link, still at that path) and copied from that
// descriptor, never reopened by path.
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export class BackupFileRefused extends Error {
  constructor(file: string, why: string) {
    super(`${file} was not taken: ${why}`);
    this.name = 'BackupFileRefused';
  }
}

/** Copies hubd's backup `from` to the new file `to` (0600, the caller's), then unlinks `from`. */
export function takeBackupFile(from: string, to: string, ownerUid: number): void {
  const folder = lstatSync(dirname(from));
  if (!folder.isDirectory() || folder.uid !== ownerUid)
    throw new BackupFileRefused(from, `its folder is not a directory of uid ${ownerUid}`);
  let fd: number;
  try {
    fd = openSync(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new BackupFileRefused(from, 'it is a link');
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BackupFileRefused(from, 'it is not a regular file');
    if (st.uid !== ownerUid) throw new BackupFileRefused(from, `it is not owned by uid ${ownerUid}`);
    if (st.nlink !== 1) throw new BackupFileRefused(from, 'it has other links');
    const now = lstatSync(from);
    if (now.dev !== st.dev || now.ino !== st.ino) throw new BackupFileRefused(from, 'it was replaced');
    copyFromFd(fd, to);
  } finally {
    closeSync(fd);
  }
  unlinkSync(from); // unlink never follows a link: at worst it removes one planted meanwhile
}

function copyFromFd(fd: number, to: string): void {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const out = openSync(to, flags, 0o600);
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;)
      for (let at = 0; at < n;) at += writeSync(out, buf, at, n - at);
    fsyncSync(out);
  } catch (err) {
    closeSync(out);
    rmSync(to, { force: true });
    throw err;
  }
  closeSync(out);
}
