import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadinessReport } from '../../../src/api/contract.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;

describe('/readyz', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown));
  });

  it('tells an anonymous caller only the state of the hub and of each component', async () => {
    const res = await hub.client().request('GET', '/readyz');
    const report = res.body as ReadinessReport;
    assert.equal(res.status, report.ready ? 200 : 503);
    assert.ok(Object.keys(report.components).length > 3);
    for (const [name, component] of Object.entries(report.components))
      assert.deepEqual(Object.keys(component), ['state'], `${name} has no details`);
    assert.equal(res.text.includes(hub.dataDir), false, 'no path');
    assert.equal(res.text.includes(String(hub.mqttPort)), false, 'no port');
  });

  it('gives the details to a signed-in user, by session or by API key', async () => {
    const bySession = (await admin.request('GET', '/readyz')).body as ReadinessReport;
    assert.equal(bySession.components.http?.detail?.port, Number(new URL(hub.baseUrl).port));
    const { readApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const byKey = (await hub.client().request('GET', `/readyz?apikey=${readApiKey}`)).body as ReadinessReport;
    assert.equal(byKey.components.http?.detail?.port, Number(new URL(hub.baseUrl).port));
    assert.equal(typeof byKey.components.ingest?.detail?.values, 'number');
  });
});
