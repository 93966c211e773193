import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
let hub: TestHub;

/** A raw GET (fetch would decompress and hide the encoding). */
function get(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; bytes: number }>(
    (resolve, reject) => {
      const req = request(`${hub.baseUrl}${path}`, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the web app files', () => {
  before(async () => {
    ({ hub } = await startHubWithAdmin(teardown));
  });

  it('serves hashed assets gzipped with a year of cache, and the shell revalidated', async () => {
    const shell = await get('/', { accept: 'text/html', 'accept-encoding': 'gzip' });
    assert.equal(shell.status, 200);
    assert.equal(shell.headers['cache-control'], 'no-cache');
    const html = await (await fetch(`${hub.baseUrl}/`, { headers: { accept: 'text/html' } })).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html names its script');
    const plain = await get(script, {});
    const gzipped = await get(script, { 'accept-encoding': 'gzip' });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.match(String(gzipped.headers['cache-control']), /max-age=31536000/);
    assert.ok(gzipped.bytes < plain.bytes / 2, `${gzipped.bytes} gzipped vs ${plain.bytes}`);
  });
});
