import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { BackupFileRefused, takeBackupFile } from '../../../src/backup/take-backup-file.fs.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// `sudo hub backup` takes hubd's file out of a folder the `hub` user controls (docs/backup.md):
// a link planted there is refused and what it points at is neither read nor changed.
const teardown = useTeardown();
const uid = process.getuid?.() ?? 0;

function backupsFolder() {
  const dataDir = makeTempDir(teardown);
  mkdirSync(join(dataDir, 'backups'));
  return {
    from: join(dataDir, 'backups', 'hub-backup-x.tar.gz'),
    to: join(makeTempDir(teardown), 'out.tar.gz'),
  };
}

describe('taking hubd’s backup file', () => {
  it('copies a regular file of the expected owner to a new file (mode 600) and removes hubd’s copy', () => {
    const { from, to } = backupsFolder();
    writeFileSync(from, 'backup bytes');
    takeBackupFile(from, to, uid);
    assert.equal(readFileSync(to, 'utf8'), 'backup bytes');
    assert.equal(statSync(to).mode & 0o777, 0o600);
    assert.equal(existsSync(from), false);
  });

  it('refuses a symlink planted in place of the file, leaving its target untouched', () => {
    const { from, to } = backupsFolder();
    const target = join(makeTempDir(teardown), 'secret');
    writeFileSync(target, 'not for you');
    symlinkSync(target, from);
    assert.throws(() => takeBackupFile(from, to, uid), BackupFileRefused);
    assert.equal(readFileSync(target, 'utf8'), 'not for you');
    assert.equal(existsSync(to), false, 'nothing was written to --out');
    assert.ok(lstatSync(from).isSymbolicLink());
  });

  it('refuses a file not owned by the data dir’s owner, a hard link and a linked folder', () => {
    const { from, to } = backupsFolder();
    writeFileSync(from, 'backup bytes');
    assert.throws(() => takeBackupFile(from, to, uid + 1), /not a directory of uid|not owned by uid/);
    const other = join(makeTempDir(teardown), 'other');
    writeFileSync(other, 'other');
    const linked = backupsFolder();
    linkSync(other, linked.from);
    assert.throws(() => takeBackupFile(linked.from, linked.to, uid), /has other links/);
    const dataDir = makeTempDir(teardown);
    symlinkSync(join(from, '..'), join(dataDir, 'backups'));
    assert.throws(() => takeBackupFile(join(dataDir, 'backups', 'hub-backup-x.tar.gz'), to, uid), /folder/);
    assert.equal(existsSync(to), false);
  });
});
