import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/config-file.fs.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

describe('hub.json', () => {
  it('is created with defaults on first start and read back unchanged', () => {
    const dataDir = makeTempDir(teardown);
    const first = loadConfig({ HUB_DATA_DIR: dataDir });
    assert.equal(first.created, true);
    const onDisk = JSON.parse(readFileSync(join(dataDir, 'hub.json'), 'utf8'));
    assert.equal(onDisk.http.port, 8080);
    const second = loadConfig({ HUB_DATA_DIR: dataDir });
    assert.equal(second.created, false);
    assert.deepEqual(second.config, first.config);
  });

  it('is not created by a read-only check', () => {
    const dataDir = makeTempDir(teardown);
    loadConfig({ HUB_DATA_DIR: dataDir }, { readOnly: true });
    assert.equal(existsSync(join(dataDir, 'hub.json')), false);
  });

  it('takes HUB_* overrides without writing them to the file', () => {
    const dataDir = makeTempDir(teardown);
    const { config } = loadConfig({
      HUB_DATA_DIR: dataDir,
      HUB_HTTP_PORT: '0',
      HUB_TIMEZONE: 'Europe/London',
    });
    assert.equal(config.http.port, 0);
    assert.equal(config.timezone, 'Europe/London');
    assert.equal(JSON.parse(readFileSync(join(dataDir, 'hub.json'), 'utf8')).http.port, 8080);
  });

  it('stops with the file, field, expectation and value when a field is wrong', () => {
    const dataDir = makeTempDir(teardown);
    const file = join(dataDir, 'hub.json');
    writeFileSync(file, JSON.stringify({ http: { port: 'eighty' }, extra: 1 }));
    assert.throws(
      () => loadConfig({ HUB_DATA_DIR: dataDir }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems.sort(), [
          `${file}: field "extra": unknown key; expected none here, found "extra"`,
          `${file}: field "http.port": expected an integer port from 0 (any free port) to 65535, found "eighty"`,
        ]);
        return true;
      },
    );
  });

  it('stops with the file and position when the JSON is broken', () => {
    const dataDir = makeTempDir(teardown);
    const file = join(dataDir, 'hub.json');
    writeFileSync(file, '{ "http": { "port": 80, } }');
    assert.throws(
      () => loadConfig({ HUB_DATA_DIR: dataDir }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.problems[0]!, new RegExp(`^${file}: not valid JSON \\(.*position \\d+`));
        return true;
      },
    );
  });
});
