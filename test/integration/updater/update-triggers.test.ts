import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { startHubWithAdmin } from '../../helpers/hub.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { inboxPaths, updateRequestSchema, type UpdateStatus } from '../../../src/updater/update-inbox.js';
import type { UpdateInfo } from '../../../src/api/contract.js';

const teardown = useTeardown();

/** The upload as the app sends it: the bundle's bytes, raw. */
function upload(client: HttpClient, bytes: Buffer, headers: Record<string, string> = {}) {
  const session: Record<string, string> = {};
  if (client.cookie) session.cookie = client.cookie;
  if (client.csrfToken) session['x-csrf-token'] = client.csrfToken;
  return fetch(new URL('/api/v1/update/bundle', client.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...session, ...headers },
    body: bytes,
  });
}

/** Sends headers saying 2 GiB and a few bytes; the answer comes before the rest would. */
function declareHuge(baseUrl: string, admin: HttpClient): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL('/api/v1/update/bundle', baseUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(2 * 1024 ** 3),
        cookie: admin.cookie ?? '',
        'x-csrf-token': admin.csrfToken ?? '',
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.write(Buffer.alloc(1024));
  });
}

/** What hub-updater does with a request: takes it, then reports (status.json, 0644, root's). */
function actAsUpdater(appDir: string, status: Omit<UpdateStatus, 'format' | 'updatedAtMs'>) {
  const paths = inboxPaths(appDir);
  rmSync(paths.requestFile, { force: true });
  mkdirSync(paths.statusDir, { recursive: true });
  writeFileSync(paths.statusFile, JSON.stringify({ format: 1, updatedAtMs: 1, ...status }));
}

describe('updates from the app', () => {
  it('puts the uploaded bundle and then the request in the inbox, byte for byte', async () => {
    const appDir = makeTempDir(teardown);
    const { hub, admin } = await startHubWithAdmin(teardown, { env: { HUB_APP_DIR: appDir } });
    const bundle = randomBytes(3 * 1024 * 1024 + 17);

    const res = await upload(admin, bundle);
    assert.equal(res.status, 202, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const paths = inboxPaths(appDir);
    assert.deepEqual(readFileSync(paths.bundleFile(id)), bundle);
    assert.equal(existsSync(paths.partFile(id)), false);
    const request = updateRequestSchema.parse(JSON.parse(readFileSync(paths.requestFile, 'utf8')));
    assert.deepEqual(
      { id: request.id, source: request.source, bundle: request.bundle, by: request.by },
      { id, source: 'app', bundle: `${id}.bundle`, by: 'ann' },
    );

    const waiting = (await admin.request('GET', '/api/v1/update')).body as UpdateInfo;
    assert.deepEqual(waiting, {
      available: true,
      progress: { state: 'waiting', id, source: 'app', currentVersion: hub.version.version },
    });

    const second = await upload(admin, randomBytes(100));
    assert.equal(second.status, 409);
    assert.equal(((await second.json()) as { code: string }).code, 'update_in_flight');

    // hub-updater takes it and reports; the app shows hub-updater's status.
    actAsUpdater(appDir, { id, source: 'app', state: 'installing', step: 'unpack', version: '9.9.9' });
    const installing = (await admin.request('GET', '/api/v1/update')).body as UpdateInfo;
    assert.deepEqual(installing.progress, {
      format: 1,
      updatedAtMs: 1,
      id,
      source: 'app',
      state: 'installing',
      step: 'unpack',
      version: '9.9.9',
      currentVersion: hub.version.version,
    });
    assert.equal((await upload(admin, randomBytes(100))).status, 409);

    // A final state frees the inbox for the next update.
    actAsUpdater(appDir, { id, source: 'app', state: 'refused', code: 'bad-signature' });
    assert.equal((await upload(admin, randomBytes(100))).status, 202);
  });

  it('refuses a viewer, a read key, a wrong type and a bundle too large', async () => {
    const appDir = makeTempDir(teardown);
    const { hub, admin } = await startHubWithAdmin(teardown, { env: { HUB_APP_DIR: appDir } });
    const created = await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    assert.equal(created.status, 201);
    const viewer = hub.client();
    await viewer.request('POST', '/api/v1/session', { json: { username: 'vic', password: 'vic-password' } });
    assert.equal((await viewer.request('GET', '/api/v1/update')).status, 403);
    assert.equal((await upload(viewer, randomBytes(10))).status, 403);

    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const byReadKey = await upload(hub.client(), randomBytes(10), {
      authorization: `Bearer ${keys.readApiKey}`,
    });
    assert.equal(byReadKey.status, 403);
    assert.equal(((await byReadKey.json()) as { code: string }).code, 'read_only_key');

    const asJson = await admin.request('POST', '/api/v1/update/bundle', { json: { bundle: 'x' } });
    assert.equal(asJson.status, 415);

    // Declared larger than 1 GiB: refused before a byte is read.
    const tooLarge = await declareHuge(hub.baseUrl, admin);
    assert.equal(tooLarge.status, 413);
    assert.equal((JSON.parse(tooLarge.body) as { code: string }).code, 'too_large');
    assert.equal(existsSync(inboxPaths(appDir).requestFile), false);
  });

  it('says why when the hub has no app dir', async () => {
    const { admin } = await startHubWithAdmin(teardown);
    const info = (await admin.request('GET', '/api/v1/update')).body as UpdateInfo;
    assert.equal(info.available, false);
    assert.equal(info.progress.state, 'idle');
    const res = await upload(admin, randomBytes(10));
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      error: 'updates are installed by hub-updater on the appliance image; HUB_APP_DIR is not set',
      code: 'updates_unavailable',
    });
  });

  it('shows the status file after a restart (hub-updater restarts hubd mid-install)', async () => {
    const appDir = makeTempDir(teardown);
    actAsUpdater(appDir, { id: 'app-1', source: 'app', state: 'installing', step: 'await-ready' });
    const { admin } = await startHubWithAdmin(teardown, { env: { HUB_APP_DIR: appDir } });
    const info = (await admin.request('GET', '/api/v1/update')).body as UpdateInfo;
    assert.equal(info.progress.state, 'installing');
    assert.equal('step' in info.progress && info.progress.step, 'await-ready');
    assert.equal((await upload(admin, randomBytes(10))).status, 409);
  });
});
