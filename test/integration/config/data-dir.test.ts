import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tightenDataDir } from '../../../src/config/data-dir.fs.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** A directory (755) holding a file (644), made whatever the umask. */
function looseTree(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'secret.txt'), 'x');
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'secret.txt'), 0o644);
}

describe('tightening the data directory', () => {
  it('follows a data dir that is itself a symbolic link and tightens what it points to', () => {
    const base = makeTempDir(teardown);
    const real = join(base, 'on-other-partition');
    looseTree(real);
    const link = join(base, 'hub-data');
    symlinkSync(real, link);
    assert.deepEqual(tightenDataDir(link), { count: 2, failed: 0 });
    assert.deepEqual([mode(real), mode(join(real, 'secret.txt'))], ['700', '600']);
  });

  it('leaves the target of a link inside the tree as it is', () => {
    const base = makeTempDir(teardown);
    const dataDir = join(base, 'data');
    const outside = join(base, 'outside');
    looseTree(dataDir);
    looseTree(outside);
    symlinkSync(join(outside, 'secret.txt'), join(dataDir, 'link-to-file'));
    symlinkSync(outside, join(dataDir, 'link-to-dir'));
    assert.deepEqual(tightenDataDir(dataDir), { count: 2, failed: 0 });
    assert.deepEqual([mode(outside), mode(join(outside, 'secret.txt'))], ['755', '644']);
  });

  it('changes nothing outside when an entry is swapped for a link after it was looked at', () => {
    const base = makeTempDir(teardown);
    const dataDir = join(base, 'data');
    const outside = join(base, 'outside');
    looseTree(dataDir);
    looseTree(outside);
    mkdirSync(join(dataDir, 'feeds'), { mode: 0o700 });
    chmodSync(join(dataDir, 'feeds'), 0o755);
    const swaps: Record<string, string> = {
      [join(dataDir, 'secret.txt')]: join(outside, 'secret.txt'),
      [join(dataDir, 'feeds')]: outside,
    };
    const result = tightenDataDir(dataDir, {
      beforeOpen: (path) => {
        const target = swaps[path];
        if (!target) return;
        renameSync(path, `${path}.moved`);
        symlinkSync(target, path);
      },
    });
    assert.deepEqual([mode(outside), mode(join(outside, 'secret.txt'))], ['755', '644']);
    assert.deepEqual(result, { count: 1, failed: 0 }, 'only the data dir itself was changed');
  });
});
