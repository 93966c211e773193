import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeMeta, encodeValues } from '../../../src/timeseries/phpfina-format.js';
import { runEntry } from '../../helpers/processes.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const hub = (args: string[], env: Record<string, string>, stdin = '') =>
  runEntry('src/cli/main.ts', args, env, stdin);

/** An emoncms phpfina folder: feeds as emoncms leaves them, good and bad. */
function emoncmsFolder(): string {
  const dir = makeTempDir(teardown);
  const day = Array.from({ length: 8640 }, (_, i) => (i % 97 === 0 ? NaN : 200 + (i % 300)));
  writeFileSync(join(dir, '1.meta'), encodeMeta({ intervalS: 10, startTimeS: 1_700_000_000 }));
  writeFileSync(join(dir, '1.dat'), encodeValues(day));
  writeFileSync(join(dir, '2.meta'), encodeMeta({ intervalS: 7, startTimeS: 1_700_000_000 }));
  writeFileSync(join(dir, '2.dat'), encodeValues([1]));
  writeFileSync(join(dir, '3.meta'), encodeMeta({ intervalS: 10, startTimeS: 1_700_000_000 }));
  writeFileSync(join(dir, '4.meta'), encodeMeta({ intervalS: 60, startTimeS: 1_700_000_040 }));
  writeFileSync(
    join(dir, '4.dat'),
    Buffer.concat([Buffer.from(encodeValues([1.5, 2.5])), Buffer.from([0x01, 0x02])]),
  );
  writeFileSync(
    join(dir, 'list.json'),
    JSON.stringify([{ id: '1', name: 'House power', tag: 'emonpi', unit: 'W', engine: '5' }]),
  );
  return dir;
}

describe('hub feeds', () => {
  it('imports emoncms PHPFina feeds, reporting what it took and refused', async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    assert.equal((await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n')).code, 0);
    const source = emoncmsFolder();
    const res = await hub(['feeds', 'import-emoncms', source], env);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'took emoncms feed 1 "House power" (10 s, 8640 values) as feed 1',
      'refused emoncms feed 2: interval 7 s is not one emoncms offers',
      'refused emoncms feed 3: 3.dat is missing',
      'took emoncms feed 4 "emoncms feed 4" (60 s, 2 values, 2 bytes of a partial last value left behind) as feed 2',
      'took 2, refused 2',
    ]);
    const feeds = join(dataDir, 'feeds');
    assert.deepEqual(
      readFileSync(join(feeds, '1.dat')),
      readFileSync(join(source, '1.dat')),
      'values copied byte for byte',
    );
    assert.deepEqual(readFileSync(join(feeds, '1.meta')), readFileSync(join(source, '1.meta')));
    assert.ok(existsSync(join(feeds, '1.r600')), 'rollups built');
    assert.equal(
      (await hub(['feeds', 'list'], env)).stdout,
      '1\tHouse power\t10 s\n2\temoncms feed 4\t60 s\n',
    );
  });

  it('imports only the feeds asked for', async () => {
    const env = { HUB_DATA_DIR: makeTempDir(teardown) };
    await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    const source = emoncmsFolder();
    const res = await hub(['feeds', 'import-emoncms', source, '--only', '4,9'], env);
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'took emoncms feed 4 "emoncms feed 4" (60 s, 2 values, 2 bytes of a partial last value left behind) as feed 1',
      `refused emoncms feed 9: no 9.meta in ${source}`,
      'took 1, refused 1',
    ]);
  });

  it('checks feed files and repairs a partial value', async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    await hub(['feeds', 'import-emoncms', emoncmsFolder(), '--only', '1'], env);
    assert.equal((await hub(['feeds', 'check'], env)).stdout, '1 feeds checked, 0 with problems\n');
    appendFileSync(join(dataDir, 'feeds', '1.dat'), Buffer.from([0xff]));
    const bad = await hub(['feeds', 'check'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^feed 1: \.dat ends in 1 bytes of a partial value \(run with --repair\)$/m);
    const fixed = await hub(['feeds', 'check', '--repair'], env);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /feed 1: cut 1 bytes of a partial value \(repaired\)/);
    assert.equal((await hub(['feeds', 'check'], env)).code, 0);
  });

  it('refuses to import before an administrator exists', async () => {
    const dir = makeTempDir(teardown);
    const res = await hub(['feeds', 'import-emoncms', emoncmsFolder()], { HUB_DATA_DIR: dir });
    assert.equal(res.code, 1);
    assert.equal(res.stderr.trim(), 'hub: create the administrator first (hub user add NAME --admin)');
  });
});
